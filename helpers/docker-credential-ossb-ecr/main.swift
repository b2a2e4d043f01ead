import CloudAuth

// docker-credential-ossb-ecr: Amazon ECR and ECR Public tokens from the AWS credential chain (docs/cloud.md).
CloudHelper.main(provider: ECRProvider())

import CloudAuth

// docker-credential-ossb-gcr: Google Artifact Registry and Container Registry access tokens from Application
// Default Credentials (docs/cloud.md).
CloudHelper.main(provider: GoogleProvider())

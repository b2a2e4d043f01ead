import CloudAuth

// docker-credential-ossb-acr: Azure Container Registry refresh tokens from an Entra ID token (client secret,
// workload identity or managed identity), exchanged at the registry (docs/cloud.md).
CloudHelper.main(provider: AzureProvider())

import AuthCore
import FoundationEssentials

/// Azure Container Registry (`*.azurecr.io`, `*.azurecr.cn`, `*.azurecr.us`): an Entra ID access token,
/// exchanged at the registry's `/oauth2/exchange` for an ACR refresh token, which is handed out as an identity
/// token (user name `00000000-0000-0000-0000-000000000000`); the registry client then trades it at the
/// registry's token endpoint like any OAuth2 refresh token.
///
/// The Entra ID token comes from, in the order of Azure's `DefaultAzureCredential`: a client secret
/// (`AZURE_CLIENT_ID`, `AZURE_TENANT_ID`, `AZURE_CLIENT_SECRET`); a client certificate (the same with
/// `AZURE_CLIENT_CERTIFICATE_PATH`, a PEM file with the certificate and its key); workload identity (`AZURE_CLIENT_ID`,
/// `AZURE_TENANT_ID`, `AZURE_FEDERATED_TOKEN_FILE`, as AKS injects them); a managed identity (App Service's
/// `IDENTITY_ENDPOINT` and `IDENTITY_HEADER`, else the instance metadata service); the Azure CLI's login (`az login`,
/// `AzureCLICredential`).
package struct AzureProvider: CloudProvider {
    /// The user name ACR expects with a refresh token.
    static let username = "00000000-0000-0000-0000-000000000000"

    /// Creates the provider; everything it reads comes from the `CloudContext`.
    package init() {}

    package var cloudName: String { "Azure" }

    /// `*.azurecr.io`, `*.azurecr.cn` and `*.azurecr.us`, as discovery routes them (`CloudRegistry`).
    package func serves(host: String) -> Bool { CloudRegistry.serving(host: host) == .acr }

    /// Who would mint, without any network, in the order `credential` walks: the application and tenant with a
    /// hash of its secret or certificate file (a rotated secret is a new identity), the application and tenant of a workload identity,
    /// else the managed identity endpoint with the client ID it asks for and the Azure CLI's profile; with the
    /// authority that issues.
    package func identity(for host: String, in context: CloudContext) throws -> String? {
        let environment = context.environment
        let authority = environment["AZURE_AUTHORITY_HOST"] ?? "https://login.microsoftonline.com"
        let clientID = environment["AZURE_CLIENT_ID"]
        if let clientID, let tenant = environment["AZURE_TENANT_ID"] {
            if let secret = environment["AZURE_CLIENT_SECRET"] {
                var bytes = Array(secret.utf8)
                defer { SecretMemory.wipe(&bytes) }
                return
                    "Azure client \(clientID) in \(tenant) at \(authority), secret sha256:\(CloudCrypto.fingerprint(bytes))"
            }
            if let path = environment["AZURE_CLIENT_CERTIFICATE_PATH"] {
                // A hash of the file, so that a renewed certificate is a new identity; an unreadable file is
                // reported when minting.
                return
                    "Azure client \(clientID) in \(tenant) at \(authority), certificate \(path) sha256:\(CloudCrypto.fingerprint(file: path))"
            }
            if let path = environment["AZURE_FEDERATED_TOKEN_FILE"] {
                return "Azure workload identity \(clientID) in \(tenant) at \(authority) (\(path))"
            }
        }
        let endpoint = environment["IDENTITY_ENDPOINT"] ?? environment["AZURE_POD_IDENTITY_AUTHORITY_HOST"] ?? "IMDS"
        // Off Azure the Azure CLI's login answers: a hash of its profile, which every `az login`, `az logout` and
        // `az account set` rewrites, so that another login never gets the registry token of the one before.
        let profile = AzureCLICredential.profilePath(environment)
        return
            "Azure managed identity \(clientID ?? "(default)") at \(endpoint), else the Azure CLI's login\(environment["AZURE_TENANT_ID"].map { " in \($0)" } ?? "") with \(profile) sha256:\(CloudCrypto.fingerprint(file: profile, limit: 4 << 20))"
    }

    package func credential(for host: String, in context: CloudContext) async throws -> CloudCredential {
        let http = CloudHTTP(cloud: cloudName, context: context)
        let entra = try await AzureEntraToken.obtain(for: host, http)
        context.explain(
            "Azure: exchanging the Entra ID token of \(entra.identity) at https://\(host)/oauth2/exchange")
        return try await AzureRegistryExchange(host: host, http: http).refreshToken(for: entra)
    }
}

import AuthCore
import FoundationEssentials

/// An Entra ID (Azure AD) access token for Azure Container Registry, and whose it is.
struct AzureEntraToken {
    /// The access token.
    let token: String
    /// When it expires, in seconds since the epoch.
    let expiresAt: Int64?
    /// The client ID that obtained it, or the managed identity's; never a secret.
    let identity: String
    /// The tenant, when known (the registry's exchange wants it).
    let tenant: String?

    /// The audience of ACR's data plane in the public cloud.
    static let publicResource = "https://containerregistry.azure.net"

    /// The audience a token for the registry `host` is requested for: ACR's own in the public cloud; in Azure
    /// China (`.azurecr.cn`) and Azure Government (`.azurecr.us`), that cloud's Resource Manager, the audiences
    /// Azure's container registry SDKs know for those clouds (ACR accepts Resource Manager tokens by default).
    static func resource(forRegistry host: String) -> String {
        let labels = CloudHostName(host).labels
        switch labels.last {
        case "cn": return "https://management.chinacloudapi.cn"
        case "us": return "https://management.usgovcloudapi.net"
        default: return publicResource
        }
    }

    /// Walks the chain: client secret, client certificate, workload identity, managed identity, the Azure CLI's login.
    static func obtain(for host: String, _ http: CloudHTTP) async throws(CloudAuthError) -> AzureEntraToken {
        let resource = resource(forRegistry: host)
        let environment = http.context.environment
        let clientID = environment["AZURE_CLIENT_ID"]
        let tenant = environment["AZURE_TENANT_ID"]
        if let clientID, let tenant, let secret = environment["AZURE_CLIENT_SECRET"] {
            http.context.explain(
                "Azure: client secret of \(clientID) in tenant \(tenant) (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_CLIENT_SECRET)"
            )
            return try await clientCredentials(
                http, clientID: clientID, tenant: tenant, resource: resource, proof: [("client_secret", secret)],
                advice:
                    "the client secret of \(clientID) is wrong or expired: create a new one (`az ad app credential reset`) and set AZURE_CLIENT_SECRET"
            )
        }
        if let clientID, let tenant, let path = environment["AZURE_CLIENT_CERTIFICATE_PATH"] {
            return try await clientCertificate(http, clientID: clientID, tenant: tenant, path: path, resource: resource)
        }
        if let clientID, let tenant, let path = environment["AZURE_FEDERATED_TOKEN_FILE"] {
            http.context.explain(
                "Azure: workload identity of \(clientID) in tenant \(tenant) with the token in \(path) (AZURE_FEDERATED_TOKEN_FILE)"
            )
            let assertion = try federatedToken(path, http)
            return try await clientCredentials(
                http, clientID: clientID, tenant: tenant, resource: resource,
                proof: assertionProof(assertion),
                advice:
                    "add a federated credential to \(clientID) whose issuer and subject match the service account token (`az identity federated-credential create`)"
            )
        }
        let partial = [("AZURE_CLIENT_ID", clientID), ("AZURE_TENANT_ID", tenant)].filter { $0.1 == nil }.map(\.0)
        http.context.explain(
            "Azure: no client secret, certificate or federated token (\(partial.isEmpty ? "AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH and AZURE_FEDERATED_TOKEN_FILE are unset" : partial.joined(separator: " and ") + " unset")); asking the managed identity endpoint"
        )
        let managed = try await AzureManagedIdentity(http: http, clientID: clientID, resource: resource).token()
        if let token = managed.token { return token }
        switch try AzureCLICredential(context: http.context, cloud: http.cloud, resource: resource).token() {
        case .token(let token): return token
        case .absent(let why):
            throw CloudAuthError(
                cloud: http.cloud,
                "no Azure credentials: AZURE_CLIENT_ID and AZURE_TENANT_ID with AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE are not set, \(managed.unanswered), and \(why); run `az login`, set those variables, or run on Azure with a managed identity"
            )
        }
    }

    /// A service principal's certificate (`AZURE_CLIENT_CERTIFICATE_PATH`): a client assertion signed with its
    /// key and naming it by thumbprint, audience the token endpoint, as Azure's `ClientCertificateCredential`.
    private static func clientCertificate(
        _ http: CloudHTTP, clientID: String, tenant: String, path: String, resource: String
    ) async throws(CloudAuthError) -> AzureEntraToken {
        let environment = http.context.environment
        let certificate = try AzureClientCertificate(
            path: path, password: environment[AzureClientCertificate.passwordVariable], cloud: http.cloud)
        let thumbprint = CloudCrypto.hex(certificate.thumbprint).uppercased()
        // "true" or "1", as Azure's Go SDK reads it.
        let sendChain = ["true", "1"].contains(environment["AZURE_CLIENT_SEND_CERTIFICATE_CHAIN"]?.lowercased())
        http.context.explain(
            "Azure: client certificate of \(clientID) in tenant \(tenant) from \(path), thumbprint \(thumbprint)\(sendChain ? ", sending its chain" : "") (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_CLIENT_CERTIFICATE_PATH)"
        )
        let url = try tokenEndpoint(http, tenant: tenant)
        let assertion = try certificate.assertion(
            clientID: clientID, audience: url.absoluteString, now: http.context.now(), sendChain: sendChain,
            cloud: http.cloud)
        return try await clientCredentials(
            http, clientID: clientID, tenant: tenant, resource: resource,
            proof: assertionProof(assertion),
            advice:
                "the certificate in \(path) (thumbprint \(thumbprint)) is not registered on \(clientID) or has expired: upload the certificate (not its key) to the app registration (`az ad app credential reset --id \(clientID) --cert @cert.pem --append`)"
        )
    }

    /// The form fields proving the client with a JWT: a federated token or one signed with a certificate's key.
    private static func assertionProof(_ assertion: String) -> [(String, String)] {
        [
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", assertion),
        ]
    }

    /// `{AZURE_AUTHORITY_HOST}/{tenant}/oauth2/v2.0/token`, the token endpoint and a certificate assertion's audience.
    private static func tokenEndpoint(_ http: CloudHTTP, tenant: String) throws(CloudAuthError) -> URL {
        var authority = http.context.environment["AZURE_AUTHORITY_HOST"] ?? "https://login.microsoftonline.com"
        if !authority.contains("://") { authority = "https://" + authority }
        while authority.hasSuffix("/") { authority.removeLast() }
        return try http.secureURL(
            "\(authority)/\(FormEncoding.escape(tenant))/oauth2/v2.0/token",
            "the Entra ID token endpoint (AZURE_AUTHORITY_HOST)")
    }

    /// The client credentials grant at the tenant's token endpoint, proving the client with a secret or an
    /// assertion (federated, or signed with a certificate's key).
    private static func clientCredentials(
        _ http: CloudHTTP, clientID: String, tenant: String, resource: String, proof: [(String, String)], advice: String
    ) async throws(CloudAuthError) -> AzureEntraToken {
        let url = try tokenEndpoint(http, tenant: tenant)
        let response = try await http.postForm(
            url,
            [("grant_type", "client_credentials"), ("client_id", clientID), ("scope", resource + "/.default")] + proof,
            to: "Entra ID", advice: "check AZURE_AUTHORITY_HOST and the network")
        let answer = try http.object(
            response, from: "Entra ID (\(url.absoluteString), client \(clientID))", advice: advice)
        let access = try http.accessToken(answer, from: "Entra ID")
        return AzureEntraToken(token: access.token, expiresAt: access.expiresAt, identity: clientID, tenant: tenant)
    }

    /// The projected service account token AKS mounts; read on every use, since kubelet rotates it.
    private static func federatedToken(_ path: String, _ http: CloudHTTP) throws(CloudAuthError) -> String {
        try MountedTokenFile.read(
            path, cloud: http.cloud,
            unreadable: {
                "Azure: cannot read AZURE_FEDERATED_TOKEN_FILE \(path) (\($0)); check the projected token volume's permissions"
            },
            missing:
                "Azure: AZURE_FEDERATED_TOKEN_FILE \(path) is missing or empty; label the pod azure.workload.identity/use=true so that AKS projects the token, or unset the variable"
        )
    }
}

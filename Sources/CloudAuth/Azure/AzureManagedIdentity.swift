import AuthCore
import FoundationEssentials

/// A managed identity's token: App Service and Functions announce their endpoint in `IDENTITY_ENDPOINT` with a
/// per-process secret in `IDENTITY_HEADER`; VMs, scale sets and AKS nodes have the instance metadata service
/// (IMDS) at a link-local address (`AZURE_POD_IDENTITY_AUTHORITY_HOST` overrides it, as Azure's SDKs allow),
/// which answers only requests carrying `Metadata: true`. `AZURE_CLIENT_ID`, when set, picks a user-assigned
/// identity.
struct AzureManagedIdentity {
    let http: CloudHTTP
    let clientID: String?
    /// The audience (`AzureEntraToken.resource(forRegistry:)`).
    let resource: String

    func token() async throws(CloudAuthError) -> AzureEntraToken {
        let environment = http.context.environment
        var query = [("resource", resource)]
        if let clientID { query.append(("client_id", clientID)) }
        var headers = HTTPHeaders()
        let base: String
        let name: String
        if let endpoint = environment["IDENTITY_ENDPOINT"], let secret = environment["IDENTITY_HEADER"] {
            base = endpoint
            name = "the App Service identity endpoint (IDENTITY_ENDPOINT)"
            query.insert(("api-version", "2019-08-01"), at: 0)
            headers["X-IDENTITY-HEADER"] = secret
        } else {
            var host = environment["AZURE_POD_IDENTITY_AUTHORITY_HOST"] ?? "http://169.254.169.254"
            while host.hasSuffix("/") { host.removeLast() }
            base = "\(host)/metadata/identity/oauth2/token"
            name = "the instance metadata service"
            query.insert(("api-version", "2018-02-01"), at: 0)
            headers["Metadata"] = "true"
        }
        guard let url = URL(string: base + (base.contains("?") ? "&" : "?") + FormEncoding.encode(query)) else {
            throw CloudAuthError(
                cloud: http.cloud,
                "Azure: the managed identity endpoint \"\(TerminalText.sanitized(base.prefix(100)))\" is not a URL; correct or unset IDENTITY_ENDPOINT or AZURE_POD_IDENTITY_AUTHORITY_HOST"
            )
        }
        http.context.explain(
            "Azure: managed identity\(clientID.map { " \($0)" } ?? "") from \(name) at \(HTTPRequest(url: url).description)"
        )
        // Off Azure nobody answers at the link-local address: give up quickly.
        let response: HTTPResponse
        do {
            response = try await http.context.http.send(HTTPRequest(url: url, headers: headers, timeout: 3))
        } catch {
            throw CloudAuthError(
                cloud: http.cloud,
                "no Azure credentials: AZURE_CLIENT_ID and AZURE_TENANT_ID with AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE are not set, and \(name) did not answer at \(HTTPRequest(url: url).description) (\(error)); set those variables, or run on Azure with a managed identity"
            )
        }
        let answer = try http.object(
            response, from: "\(name)",
            advice:
                "assign a managed identity to this machine (and name a user-assigned one with AZURE_CLIENT_ID), then grant it AcrPull on the registry"
        )
        let access = try http.accessToken(answer, from: name)
        // App Service and IMDS both send expires_on (epoch seconds, as a string); IMDS also sends expires_in.
        let expiresAt = CloudHTTP.integer(answer["expires_on"]) ?? access.expiresAt
        let claims = JWT.unverifiedClaims(access.token)
        let identity =
            clientID ?? answer["client_id"]?.stringValue ?? claims?["appid"]?.stringValue
            ?? "the system-assigned managed identity"
        return AzureEntraToken(
            token: access.token, expiresAt: expiresAt, identity: identity, tenant: claims?["tid"]?.stringValue)
    }
}

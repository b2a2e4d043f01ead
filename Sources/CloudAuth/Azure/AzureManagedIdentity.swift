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

    /// The token, or `nil` with what was asked when nothing answered there (off Azure), so that the chain goes
    /// on to the Azure CLI's login.
    func token() async throws(CloudAuthError) -> (token: AzureEntraToken?, unanswered: String) {
        let environment = http.context.environment
        var query = [("resource", resource)]
        if let clientID { query.append(("client_id", clientID)) }
        var headers = HTTPHeaders()
        let base: String
        let name: String
        var imds = false
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
            imds = true
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
            let unanswered = "\(name) did not answer at \(HTTPRequest(url: url).description) (\(error))"
            http.context.explain("Azure: \(unanswered)")
            return (nil, unanswered)
        }
        // IMDS answers 400 on a machine without that managed identity: as in Azure's SDKs, the chain goes on.
        if imds, response.status == 400 {
            let unanswered = "\(name) has no managed identity\(clientID.map { " \($0)" } ?? "") here (400)"
            http.context.explain("Azure: \(unanswered)")
            return (nil, unanswered)
        }
        // The metadata service always answers JSON; an error page in anything else comes from something between
        // (a proxy that denies the address, Docker Desktop's "unreachable network"), not from Azure: go on too.
        if imds, response.status >= 400, (try? JSONParser.parse(response.body))?.objectValue == nil {
            let unanswered =
                "something that is not \(name) answered \(response.status) at \(HTTPRequest(url: url).description) (no JSON: a proxy?)"
            http.context.explain("Azure: \(unanswered)")
            return (nil, unanswered)
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
        let token = AzureEntraToken(
            token: access.token, expiresAt: expiresAt, identity: identity, tenant: claims?["tid"]?.stringValue)
        return (token, "")
    }
}

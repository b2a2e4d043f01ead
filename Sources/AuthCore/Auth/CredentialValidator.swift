import RegistryVocabulary

/// Checks credentials against a registry before they are stored.
/// Pings `/v2/`; when the registry asks for Bearer auth, performs a token exchange (asking for offline access, so
/// a refresh token comes back where the server offers one) and checks the token on `/v2/`; for Basic, checks
/// the credentials on `/v2/` directly.
package struct CredentialValidator: Sendable {
    /// The transport.
    package let client: any HTTPClient
    /// registry.json's `insecure` hosts.
    package let insecureHosts: Set<String>
    /// Explanation lines; never a secret.
    package let explain: (@Sendable (String) -> Void)?

    /// What a successful validation learnt.
    package struct Outcome: Sendable {
        /// The origin that answered.
        package var origin: HTTPOrigin
        /// `none`, `basic` or `bearer`.
        package var scheme: String
        /// A refresh token the token server issued: store it as an identity token instead of the password.
        package var refreshToken: String?
    }

    /// Creates a validator.
    package init(client: any HTTPClient, insecureHosts: Set<String> = [], explain: (@Sendable (String) -> Void)? = nil)
    {
        self.client = client
        self.insecureHosts = insecureHosts
        self.explain = explain
    }

    /// Validates credentials.
    /// - Parameters:
    ///   - registry: the registry as the user named it.
    ///   - credentials: user name and password.
    /// - Returns: what was learnt.
    /// - Throws: `RegistryError`: authentication for refused credentials, network when the registry cannot be
    ///   reached.
    package func validate(registry: String, credentials: Credentials) async throws -> Outcome {
        let endpoint = try RegistryEndpoint(registry, insecureHosts: insecureHosts)
        let host = endpoint.host
        let pingExplain: (@Sendable (String) -> Void)? = explain.map { sink in
            { @Sendable line in sink("ossb: " + line) }
        }
        let answer = try await RegistryPing.find(
            endpoint, client: client, operation: .login, registry: host, explain: pingExplain)
        let (origin, ping) = (answer.origin, answer.response)
        if ping.isSuccess {
            explain?("ossb: \(origin) asks for no authentication")
            return Outcome(origin: origin, scheme: "none")
        }
        guard ping.status == 401 else { throw RegistryError.from(ping, operation: .login, registry: host) }
        let challenges = AuthChallenge.parse(headerValues: ping.headers.values(for: "WWW-Authenticate"))
        let http = RedirectFollowingClient(client)
        // Not a ping: the registry has answered, and checking credentials may wait on its own account backend
        // (an LDAP lookup), so this request gets an ordinary request's limit rather than the ping's.
        var check = HTTPRequest(url: RegistryEndpoint.url(origin, .base), maximumBufferedBody: 1 << 20, timeout: 60)
        var outcome = Outcome(origin: origin, scheme: "basic")
        if let bearer = challenges.lazy.compactMap(BearerChallenge.init).first {
            explain?("ossb: \(origin) asks for a bearer token")
            let exchange = TokenExchange(client: http, explain: explain)
            let token = try await exchange.fetch(
                challenge: bearer, scopes: bearer.scope, credentials: credentials, registry: host,
                options: TokenExchange.Options(offline: true, allowPlainHTTP: endpoint.allowsPlainHTTP))
            check.headers["Authorization"] = "Bearer \(token.token)"
            outcome.scheme = "bearer"
            outcome.refreshToken = token.refreshToken
        } else if challenges.contains(where: { $0.scheme == "basic" }) {
            explain?("ossb: \(origin) asks for Basic credentials")
            guard origin.scheme == "https" || endpoint.allowsPlainHTTP else {
                throw RegistryError(
                    .authentication, operation: .login, registry: host,
                    message: "refusing to send credentials to \(host) over plain http")
            }
            check.headers["Authorization"] = BasicAuthorization.header(
                username: credentials.username, password: credentials.password)
        } else {
            throw RegistryError(
                .authentication, operation: .login, registry: host,
                message:
                    "\(host) asks for an authentication scheme this tool does not support (\(challenges.map(\.scheme).joined(separator: ", ")))"
            )
        }
        let verified: HTTPResponse
        do {
            verified = try await http.send(check)
        } catch {
            throw RegistryError.from(error, operation: .login, registry: host)
        }
        if verified.isSuccess { return outcome }
        if verified.status == 401 {
            throw RegistryError(
                .authentication, operation: .login, registry: host,
                message:
                    "\(host) refused the user name or password for \(credentials.username.isEmpty ? "this account" : credentials.username); check them and try again",
                status: 401)
        }
        throw RegistryError.from(verified, operation: .login, registry: host, authenticated: true)
    }
}

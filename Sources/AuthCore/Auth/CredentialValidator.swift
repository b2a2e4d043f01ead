import RegistryVocabulary

/// The original design's `ValidateCredentials`: checks credentials against a registry before they are stored.
/// Pings `/v2/`; when the registry asks for Bearer auth, performs a token exchange (asking for offline access, so
/// a refresh token comes back where the server offers one) and checks the token on `/v2/`; for Basic, checks
/// the credentials on `/v2/` directly.
public struct CredentialValidator: Sendable {
    /// The transport.
    public let client: any HTTPClient
    /// registry.json's `insecure` hosts.
    public let insecureHosts: Set<String>
    /// Explanation lines; never a secret.
    public let explain: (@Sendable (String) -> Void)?

    /// What a successful validation learnt.
    public struct Outcome: Sendable {
        /// The origin that answered.
        public var origin: HTTPOrigin
        /// `none`, `basic` or `bearer`.
        public var scheme: String
        /// A refresh token the token server issued: store it as an identity token instead of the password.
        public var refreshToken: String?
    }

    /// Creates a validator.
    public init(client: any HTTPClient, insecureHosts: Set<String> = [], explain: (@Sendable (String) -> Void)? = nil) {
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
    public func validate(registry: String, credentials: Credentials) async throws -> Outcome {
        let endpoint = try RegistryEndpoint(registry, insecureHosts: insecureHosts)
        let (origin, ping, httpsError) = try await self.ping(endpoint)
        let host = endpoint.host
        if let httpsError, ping.status != 200, ping.status != 401 {
            // Plain http reached something that is not a registry answering (Go's TLS servers answer 400 to
            // plain http): the https failure is the real problem.
            throw RegistryError.from(httpsError, operation: "login", registry: host)
        }
        if ping.isSuccess {
            explain?("ossb: \(origin) asks for no authentication")
            return Outcome(origin: origin, scheme: "none")
        }
        guard ping.status == 401 else { throw RegistryError.from(ping, operation: "login", registry: host) }
        let challenges = AuthChallenge.parse(headerValues: ping.headers.values(for: "WWW-Authenticate"))
        let http = RedirectFollowingClient(client)
        var check = HTTPRequest(url: RegistryEndpoint.url(origin, "/v2/"), maximumBufferedBody: 1 << 20, timeout: 60)
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
                throw RegistryError(.authentication, operation: "login", registry: host, message: "refusing to send credentials to \(host) over plain http")
            }
            check.headers["Authorization"] = BasicAuthorization.header(username: credentials.username, password: credentials.password)
        } else {
            throw RegistryError(
                .authentication, operation: "login", registry: host,
                message: "\(host) asks for an authentication scheme this tool does not support (\(challenges.map(\.scheme).joined(separator: ", ")))")
        }
        let verified: HTTPResponse
        do {
            verified = try await http.send(check)
        } catch {
            throw RegistryError.from(error, operation: "login", registry: host)
        }
        if verified.isSuccess { return outcome }
        if verified.status == 401 {
            throw RegistryError(
                .authentication, operation: "login", registry: host,
                message: "\(host) refused the user name or password for \(credentials.username.isEmpty ? "this account" : credentials.username); check them and try again",
                status: 401)
        }
        throw RegistryError.from(verified, operation: "login", registry: host, authenticated: true)
    }

    /// `GET /v2/` on each candidate origin until one answers.
    /// - Returns: the origin that answered, its answer, and the https failure when plain http answered instead.
    private func ping(_ endpoint: RegistryEndpoint) async throws -> (HTTPOrigin, HTTPResponse, (any Error)?) {
        // When every origin fails, the https failure is the one worth reporting: a TLS error says what to fix
        // (a certs.d CA), while plain http against a TLS port only says the connection broke.
        var firstError: (any Error)?
        for (index, origin) in endpoint.candidates.enumerated() {
            do {
                // A registry answers /v2/ at once; a silent host fails in seconds rather than a minute.
                let response = try await client.send(
                    HTTPRequest(url: RegistryEndpoint.url(origin, "/v2/"), maximumBufferedBody: 1 << 20, timeout: 10))
                explain?("ossb: ping \(origin)/v2/: HTTP \(response.status)")
                // A registry answers /v2/ with 200 or 401; anything else (a TLS port's 400 to plain http) means
                // this is not the way in, when another origin is left to try.
                if !(response.isSuccess || response.status == 401), index + 1 < endpoint.candidates.count {
                    continue
                }
                return (origin, response, firstError)
            } catch let error as HTTPClientError where error.kind == .tls || error.kind == .connection {
                if firstError == nil { firstError = error }
                if index + 1 < endpoint.candidates.count {
                    explain?("ossb: \(origin) failed (\(error.message)); trying \(endpoint.candidates[index + 1])")
                }
            }
        }
        throw RegistryError.from(firstError ?? HTTPClientError(.connection, "no address to try"), operation: "login", registry: endpoint.host)
    }
}

import FoundationEssentials
import RegistryVocabulary

/// Sends requests to one registry with authentication handled: an `HTTPClient` that answers the registry's
/// challenges.
///
/// - No credential is sent before the registry asks: a 401 names the scheme (Basic or Bearer), the `/v2/`
///   ping's (`learnScheme(fromPing:)`) or else the first request's.
/// - Bearer: a token for the scopes held so far plus those asked for, from the shared `TokenCache`
///   (concurrent requests coalesce into one token request). On a 401 (`insufficient_scope`, `invalid_token`,
///   expiry) it gets one fresh token with the merged scope and retries once.
/// - A registry token (`registrytoken`) is sent as it is, never exchanged.
/// - Credentials go to the registry's origin only: redirects are followed by `RedirectFollowingClient`, which
///   drops `Authorization` when a redirect leaves the origin (blob downloads go to object storage).
public actor RegistryAuthenticator: HTTPClient {
    /// The registry's origin: the only place its credentials are sent.
    public let registry: HTTPOrigin
    private let credentials: Credentials?
    private let client: RedirectFollowingClient
    private let exchange: TokenExchange
    private let cache: TokenCache
    private let allowPlainHTTP: Bool
    private let passwordGrant: Bool

    private enum Scheme {
        case unknown
        case basic
        case bearer(realm: String, service: String?)
    }

    private var scheme = Scheme.unknown
    private var heldScopes = ScopeSet()
    /// A refresh token the token server issued along the way, for the caller to store as an identity token.
    public private(set) var refreshToken: String?

    /// Creates an authenticator.
    /// - Parameters:
    ///   - registry: the registry's origin.
    ///   - credentials: what to authenticate with; `nil` for anonymous access.
    ///   - client: the transport (redirects are followed around it).
    ///   - cache: the token cache, shared between authenticators of one process.
    ///   - allowPlainHTTP: whether the registry is configured insecure or is loopback (realm policy).
    ///   - passwordGrant: use the OAuth2 password grant rather than the GET form.
    ///   - clientID: the OAuth2 `client_id` sent to the token server.
    ///   - explain: explanation lines; never a secret.
    public init(
        registry: HTTPOrigin, credentials: Credentials?, client: any HTTPClient, cache: TokenCache = TokenCache(),
        allowPlainHTTP: Bool, passwordGrant: Bool = false, clientID: String = "ossb-registry",
        explain: (@Sendable (String) -> Void)? = nil
    ) {
        self.registry = registry
        self.credentials = credentials.flatMap { $0.isEmpty ? nil : $0 }
        self.client = RedirectFollowingClient(client)
        self.exchange = TokenExchange(client: self.client, clientID: clientID, explain: explain)
        self.cache = cache
        self.allowPlainHTTP = allowPlainHTTP
        self.passwordGrant = passwordGrant
    }

    /// Takes the scheme from the registry's answer to the `/v2/` ping, so the first request of a session already
    /// carries credentials instead of meeting a 401 of its own: one round trip less for every session, and for
    /// every request that starts before the first has learnt the scheme (a pull's parallel blob downloads). This
    /// is the challenge docker's client reads from the same ping. Only a 401 from the registry's own origin counts.
    package func learnScheme(fromPing response: HTTPResponse) {
        guard case .unknown = scheme, response.status == 401, HTTPOrigin(response.url) == registry else { return }
        let challenges = AuthChallenge.parse(headerValues: response.headers.values(for: "WWW-Authenticate"))
        if let bearer = challenges.lazy.compactMap(BearerChallenge.init).first {
            scheme = .bearer(realm: bearer.realm, service: bearer.service)
        } else if challenges.contains(where: { $0.scheme == "basic" }) {
            scheme = .basic
        }
    }

    public func send(_ request: HTTPRequest, sink: (any HTTPBodySink)?) async throws -> HTTPResponse {
        try await send(request, scopes: ScopeSet(), sink: sink)
    }

    /// Sends a request needing `scopes` (the registry client knows them: `repository:<name>:pull` for a
    /// pull), authenticating as the registry asks.
    /// - Returns: the response; a 401 or 403 that remains after the one retry is returned for the caller to
    ///   turn into `RegistryError.from(_:operation:registry:authenticated:)`.
    /// - Throws: `HTTPClientError` from the transport, `RegistryError` from the token exchange.
    public func send(_ request: HTTPRequest, scopes: ScopeSet, sink: (any HTTPBodySink)?) async throws -> HTTPResponse {
        var first = request
        let used = try await authorize(&first, scopes: scopes, refusedToken: nil)
        let response = try await client.send(first, sink: sink)
        guard response.status == 401, request.origin == registry, HTTPOrigin(response.url) == registry else {
            return response
        }
        let challenges = AuthChallenge.parse(headerValues: response.headers.values(for: "WWW-Authenticate"))
        if let bearer = challenges.lazy.compactMap(BearerChallenge.init).first {
            if let credentials, !credentials.registryToken.isEmpty { return response }  // nothing to refresh
            scheme = .bearer(realm: bearer.realm, service: bearer.service)
            heldScopes = heldScopes.merging(scopes).merging(bearer.scope)
        } else if challenges.contains(where: { $0.scheme == "basic" }) {
            // Refused only if this request carried them: concurrent first requests all meet the challenge
            // before any of them has learnt the scheme, and each deserves its retry with credentials.
            if used != nil { return response }
            scheme = .basic
        } else {
            return response
        }
        var retry = request
        guard try await authorize(&retry, scopes: scopes, refusedToken: used ?? "") != nil else { return response }
        return try await client.send(retry, sink: sink)
    }

    /// Adds the `Authorization` header the current scheme calls for.
    /// - Returns: the credential sent (a token value), `nil` when none was.
    private func authorize(_ request: inout HTTPRequest, scopes: ScopeSet, refusedToken: String?) async throws
        -> String?
    {
        guard request.origin == registry else { return nil }
        if let credentials, !credentials.registryToken.isEmpty {
            request.headers["Authorization"] = "Bearer \(credentials.registryToken)"
            return credentials.registryToken
        }
        switch scheme {
        case .unknown:
            return nil
        case .basic:
            guard let credentials, !credentials.username.isEmpty, registry.scheme == "https" || allowPlainHTTP else {
                return nil
            }
            request.headers["Authorization"] = BasicAuthorization.header(
                username: credentials.username, password: credentials.password)
            return "basic"
        case .bearer(let realm, let service):
            let wanted = heldScopes.merging(scopes)
            let key = TokenCache.Key(
                realm: realm, service: service, scopes: wanted, identity: CredentialIdentity(credentials))
            let exchange = self.exchange
            let credentials = self.credentials
            let registryName = registry.hostAndPort
            let options = TokenExchange.Options(passwordGrant: passwordGrant, allowPlainHTTP: allowPlainHTTP)
            let token = try await cache.token(for: key, replacing: refusedToken) {
                let response = try await exchange.fetch(
                    challenge: BearerChallenge(realm: realm, service: service), scopes: wanted,
                    credentials: credentials, registry: registryName, options: options)
                return BearerToken(
                    value: response.token, expiresAt: response.expiry(receivedAt: Date()),
                    refreshToken: response.refreshToken)
            }
            if let refresh = token.refreshToken { refreshToken = refresh }
            request.headers["Authorization"] = "Bearer \(token.value)"
            return token.value
        }
    }
}

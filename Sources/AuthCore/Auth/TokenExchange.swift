import FoundationEssentials
import RegistryVocabulary

/// Gets access tokens from a registry's token server, after a 401 whose `WWW-Authenticate: Bearer` challenge names
/// it (the Docker registry token flow, docs/http-and-auth.md):
/// - holding an identity (refresh) token: the OAuth2 POST with `grant_type=refresh_token`, falling back to the
///   GET form when the server answers 404;
/// - with a user name and password: the GET form with Basic credentials (or the OAuth2 password grant when
///   `passwordGrant` is asked for, with the same 404 fallback);
/// - with nothing: the GET form, anonymously.
///
/// Realm safety: a realm over plain http is refused unless the registry itself may use plain http (configured
/// insecure, or loopback), so no Basic credential or refresh token ever travels in the clear for an https
/// registry. The realm host is announced in the explanation mode.
package struct TokenExchange: Sendable {
    /// The client for token requests; it should follow redirects (`RedirectFollowingClient`).
    package let client: any HTTPClient
    /// The OAuth2 `client_id` (required by the POST form, sent with the GET form too).
    package var clientID: String
    /// Where explanation lines go; never a secret.
    package var explain: (@Sendable (String) -> Void)?

    /// Creates an exchange.
    package init(
        client: any HTTPClient, clientID: String = "ossb-registry", explain: (@Sendable (String) -> Void)? = nil
    ) {
        self.client = client
        self.clientID = clientID
        self.explain = explain
    }

    /// What to ask for.
    package struct Options: Sendable {
        /// Ask for a refresh token (`offline_token=true`, `access_type=offline`): `login` does.
        package var offline = false
        /// Use the OAuth2 password grant instead of the GET form for a user name and password.
        package var passwordGrant = false
        /// Whether the registry may use plain http (insecure or loopback); only then may the realm.
        package var allowPlainHTTP = false

        /// Creates options.
        package init(offline: Bool = false, passwordGrant: Bool = false, allowPlainHTTP: Bool = false) {
            self.offline = offline
            self.passwordGrant = passwordGrant
            self.allowPlainHTTP = allowPlainHTTP
        }
    }

    /// Gets a token.
    /// - Parameters:
    ///   - challenge: the registry's bearer challenge (realm, service).
    ///   - scopes: the scopes wanted (may be empty: `login` asks for none).
    ///   - credentials: the credentials, or `nil` for anonymous access. A registry token is never exchanged.
    ///   - registry: the registry host, for messages.
    ///   - options: offline access, grant form, realm policy.
    /// - Returns: the server's answer.
    /// - Throws: `RegistryError`: authentication for refused credentials or an unsafe realm, network otherwise.
    package func fetch(
        challenge: BearerChallenge, scopes: ScopeSet, credentials: Credentials?, registry: String,
        options: Options = Options()
    ) async throws -> TokenResponse {
        guard let realm = URL(string: challenge.realm), let origin = HTTPOrigin(realm) else {
            throw RegistryError(
                .authentication, operation: .token, registry: registry,
                message: "\(registry) announced a token realm that is not an http(s) URL; the registry is misconfigured"
            )
        }
        explain?("ossb: realm host: \(origin.hostAndPort)")
        if origin.scheme == "http" && !options.allowPlainHTTP {
            throw RegistryError(
                .authentication, operation: .token, registry: registry,
                message:
                    "\(registry) sent its token realm \(origin.hostAndPort) over plain http; refusing to send credentials in the clear (list the registry as insecure only if you trust the network)"
            )
        }
        let credentials = credentials.flatMap { $0.isEmpty ? nil : $0 }
        let server = origin.hostAndPort
        if let credentials, !credentials.identityToken.isEmpty {
            explain?("ossb: token request: OAuth2 POST with a refresh token to \(server)")
            let response = try await post(
                realm, grant: [("grant_type", "refresh_token"), ("refresh_token", credentials.identityToken)],
                challenge: challenge, scopes: scopes, options: options, registry: registry)
            if response.status != 404 {
                return try decode(response, server: server, credentials: credentials, registry: registry)
            }
            explain?("ossb: \(server) has no OAuth2 POST (404); using the GET form")
        } else if let credentials, options.passwordGrant, !credentials.username.isEmpty {
            explain?("ossb: token request: OAuth2 POST with a password to \(server)")
            let response = try await post(
                realm,
                grant: [
                    ("grant_type", "password"), ("username", credentials.username), ("password", credentials.password),
                ],
                challenge: challenge, scopes: scopes, options: options, registry: registry)
            if response.status != 404 {
                return try decode(response, server: server, credentials: credentials, registry: registry)
            }
            explain?("ossb: \(server) has no OAuth2 POST (404); using the GET form")
        }
        explain?(
            "ossb: token request: GET to \(server) \(credentials == nil ? "anonymously" : "with Basic credentials")")
        let response = try await get(
            realm, challenge: challenge, scopes: scopes, credentials: credentials, options: options, registry: registry)
        return try decode(response, server: server, credentials: credentials, registry: registry)
    }

    private func get(
        _ realm: URL, challenge: BearerChallenge, scopes: ScopeSet, credentials: Credentials?, options: Options,
        registry: String
    ) async throws -> HTTPResponse {
        var query: [(String, String)] = []
        if let service = challenge.service { query.append(("service", service)) }
        for scope in scopes.components { query.append(("scope", scope)) }
        var headers = HTTPHeaders()
        if let credentials {
            // A refresh token falls back to Basic with it as the password, under `<token>` when no user is known.
            let user = credentials.username.isEmpty ? HelperCredential.identityTokenUsername : credentials.username
            let secret = credentials.identityToken.isEmpty ? credentials.password : credentials.identityToken
            headers["Authorization"] = BasicAuthorization.header(username: user, password: secret)
            if options.offline { query.append(("offline_token", "true")) }
            if !credentials.username.isEmpty { query.append(("account", credentials.username)) }
        }
        query.append(("client_id", clientID))
        let separator = realm.absoluteString.contains("?") ? "&" : "?"
        guard let url = URL(string: realm.absoluteString + separator + FormEncoding.encode(query)) else {
            throw RegistryError(
                .authentication, operation: .token, registry: registry,
                message: "cannot build the token request URL for \(registry)")
        }
        return try await send(
            HTTPRequest(url: url, headers: headers, maximumBufferedBody: 1 << 20, timeout: 60), registry: registry)
    }

    private func post(
        _ realm: URL, grant: [(String, String)], challenge: BearerChallenge, scopes: ScopeSet, options: Options,
        registry: String
    ) async throws -> HTTPResponse {
        var form = grant
        if let service = challenge.service { form.append(("service", service)) }
        form.append(("client_id", clientID))
        if !scopes.isEmpty { form.append(("scope", scopes.description)) }
        if options.offline { form.append(("access_type", "offline")) }
        var headers = HTTPHeaders()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        var request = HTTPRequest(
            method: .post, url: realm, headers: headers, body: .bytes(Array(FormEncoding.encode(form).utf8)),
            maximumBufferedBody: 1 << 20, timeout: 60)
        request.bodyCarriesCredentials = true
        return try await send(request, registry: registry)
    }

    private func send(_ request: HTTPRequest, registry: String) async throws -> HTTPResponse {
        do {
            return try await client.send(request)
        } catch {
            throw RegistryError.from(error, operation: .token, registry: registry)
        }
    }

    private func decode(_ response: HTTPResponse, server: String, credentials: Credentials?, registry: String) throws
        -> TokenResponse
    {
        if response.isSuccess { return try TokenResponse.parse(response.body, server: server) }
        if [400, 401, 403].contains(response.status) {
            let who = credentials.map { $0.username.isEmpty ? "the \($0.kind)" : "user \($0.username)" }
            let message =
                who.map {
                    "the token server \(server) for \(registry) refused the credentials of \($0) (HTTP \(response.status)): check the user name and password, or log in again"
                }
                ?? "the token server \(server) for \(registry) refused anonymous access (HTTP \(response.status)); log in first"
            throw RegistryError(
                .authentication, operation: .token, registry: registry, message: message, status: response.status)
        }
        throw RegistryError.from(response, operation: .token, registry: registry)
    }
}

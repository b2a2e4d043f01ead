import AuthCore
import FoundationEssentials
import HTTPTransport
import RegistryVocabulary
import Synchronization

/// The registry client (the Go package's `Client`, docs/origins.md): manifests, indexes and platform selection, blobs
/// streamed with their digests checked and cached, tags, mirrors, retries, typed errors.
///
/// Credentials are discovered per registry with `AuthProvider` (or set with `setAuthenticator`), tokens are
/// exchanged and cached by AuthCore, and every request goes through libcurl with the project's own redirect
/// handling, so `Authorization` never leaves the registry's origin.
///
/// ```swift
/// let client = try RegistryClient()
/// let ref = try ImageReference.parse("alpine:latest")
/// let manifest = try await client.getImageManifest(ref, platform: Platform(os: "linux", architecture: "amd64"))
/// print("\(manifest.layers.count) layers")
/// ```
public final class RegistryClient: Sendable {
    /// The options in use.
    public let options: ClientOptions
    /// registry.json's content.
    public let config: RegistryConfig
    /// Credential discovery.
    public let authProvider: AuthProvider
    /// The blob cache.
    public let cache: BlobCache
    let transport: any HTTPClient
    let tokenCache = TokenCache()
    /// Sessions by `sessionKey`: credentials are chosen per repository (containers' auth.json
    /// `host/namespace` keys), so two repositories of one registry may need two sessions.
    private let sessions = Mutex<[String: RegistrySession]>([:])
    private let presetAuthenticators = Mutex<[String: RegistryAuthenticator]>([:])
    /// Warnings already shown, so that a copy between two registries names a broken file once.
    private let warned = Mutex<Set<String>>([])

    /// Creates a client (the Go package's `NewClient`).
    /// - Throws: `ConfigurationError` for a malformed registry.json; `RegistryError` when no cache directory
    ///   can be found.
    public init(options: ClientOptions = ClientOptions()) throws {
        self.options = options
        let config = try options.config ?? RegistryConfig.load(environment: options.environment)
        self.config = config
        self.authProvider = try AuthProvider(
            config: config, environment: options.environment, explain: options.explain, warn: options.warn)
        if let directory = options.cacheDirectory {
            cache = BlobCache(root: directory)
        } else {
            cache = try BlobCache(environment: options.environment)
        }
        try cache.requirePrivateRoot()
        transport =
            options.transport
            ?? CurlHTTPClient(
                environment: options.environment, insecureHosts: Self.insecure(config, options),
                explain: options.explain)
    }

    static func insecure(_ config: RegistryConfig, _ options: ClientOptions) -> Set<String> {
        Set(config.insecure).union(options.insecureHosts)
    }

    var insecureHosts: Set<String> { Self.insecure(config, options) }

    /// Uses `authenticator` for `registry` instead of discovering credentials (the Go package's
    /// `SetAuthenticator`, per registry because one client talks to several).
    public func setAuthenticator(_ authenticator: RegistryAuthenticator, for registry: String) {
        presetAuthenticators.withLock { $0[ServerAddress.host(of: registry)] = authenticator }
        let host = ServerAddress.host(of: registry)
        sessions.withLock { $0 = $0.filter { Self.host(ofSessionKey: $0.key) != host } }
    }

    func explain(_ line: @autoclosure () -> String) {
        options.explain?(line())
    }

    // MARK: - Sessions

    /// The key of a repository's session: the host and the repository, NUL-separated (neither contains NUL).
    static func sessionKey(host: String, repository: String?) -> String { host + "\u{0}" + (repository ?? "") }

    /// The host part of a session key.
    static func host(ofSessionKey key: String) -> String { String(key.prefix { $0 != "\u{0}" }) }

    /// The session for a repository of a registry: the registry's working origin (https, or plain http for
    /// loopback and insecure registries when https fails) and an authenticator with the credentials discovery
    /// finds for that repository, so that `copy` between two namespaces pushes with the destination's.
    func session(for registry: String, repository: String?, operation: RegistryError.Operation) async throws
        -> RegistrySession
    {
        let key = ServerAddress.host(of: registry)
        let sessionKey = Self.sessionKey(host: key, repository: repository)
        if let existing = sessions.withLock({ $0[sessionKey] }) { return existing }
        let apiHost = DockerHub.apiHost(of: key)
        let endpoint: RegistryEndpoint
        do {
            endpoint = try RegistryEndpoint(apiHost, insecureHosts: insecureHosts)
        } catch {
            throw RegistryError.from(error, operation: operation, registry: registry)
        }
        let answer = try await RegistryPing.find(
            endpoint, client: transport, operation: operation, registry: registry,
            explain: options.explain.map { sink in { @Sendable line in sink("\(registry): \(line)") } })
        explain("\(registry): using \(answer.origin)")
        let preset = presetAuthenticators.withLock { $0[key] }
        let credentials = preset == nil ? discover(key, repository: repository) : nil
        let authenticator: RegistryAuthenticator
        if let preset {
            authenticator = preset
        } else {
            authenticator = RegistryAuthenticator(
                registry: answer.origin, credentials: credentials, client: transport, cache: tokenCache,
                allowPlainHTTP: endpoint.allowsPlainHTTP, clientID: options.clientID, explain: options.explain)
            await authenticator.learnScheme(fromPing: answer.response)
        }
        let session = RegistrySession(
            host: apiHost, displayName: registry, origin: answer.origin, authenticator: authenticator,
            authenticated: preset != nil || !(credentials?.isEmpty ?? true))
        sessions.withLock { $0[sessionKey] = session }
        return session
    }

    /// The credentials for a registry. A source that fails (a malformed config.json, a broken helper) does
    /// not stop the request: many registries need no login, so the client goes on without credentials after
    /// one warning naming the failure; a registry that does need them then answers 401, and the error says so.
    private func discover(_ host: String, repository: String?) -> Credentials? {
        do {
            return try authProvider.discover(host, repository: repository)?.credentials
        } catch {
            let message = "cannot look up credentials (\(error)); continuing without credentials"
            let first = warned.withLock { $0.insert(message).inserted }
            if first { options.warn(message) }
            explain("\(host): \(message)")
            return nil
        }
    }

    // MARK: - Requests

    /// Sends a request built by `make` through the session, retrying as the policy says, and turns any final
    /// non-2xx answer into a `RegistryError`.
    /// - Parameters:
    ///   - accept: statuses that are answers rather than errors (404 for a HEAD that asks whether a blob exists).
    func perform(
        _ session: RegistrySession, operation: RegistryError.Operation, scopes: ScopeSet, accept: Set<Int> = [],
        sink: (any HTTPBodySink)? = nil, beforeRetry: ((HTTPResponse?) throws -> Void)? = nil,
        make: () throws -> HTTPRequest
    ) async throws -> HTTPResponse {
        let started = Date()
        var attempt = 0
        while true {
            attempt += 1
            var retryAfter: String?
            var failure: any Error
            var reason: String
            do {
                let response = try await session.authenticator.send(try make(), scopes: scopes, sink: sink)
                if response.isSuccess || accept.contains(response.status) { return response }
                failure = RegistryError.from(
                    response, operation: operation, registry: session.displayName, authenticated: session.authenticated)
                guard RetryPolicy.isRetryable(status: response.status) else { throw failure }
                retryAfter = response.headers["Retry-After"]
                reason = "answered \(response.status)"
                try beforeRetry?(response)
            } catch let error where RetryPolicy.isRetryable(error) {
                failure = error
                reason = Self.retryReason(error)
                try beforeRetry?(nil)
            }
            let elapsed = Date().timeIntervalSince(started)
            guard let delay = options.retry.delay(afterAttempt: attempt, retryAfter: retryAfter, elapsed: elapsed)
            else {
                throw RegistryError.from(failure, operation: operation, registry: session.displayName)
            }
            explain(
                "\(operation) on \(session.displayName): \(failure); retrying in \(String(format2: delay)) s (attempt \(attempt + 1) of \(options.retry.maxAttempts))"
            )
            options.notice?(
                "\(session.displayName) \(reason); retrying in \(String(seconds: delay)) s (attempt \(attempt + 1) of \(options.retry.maxAttempts))"
            )
            try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
        }
    }
}

extension RegistryClient {
    /// How a retry note words a failure that is not an HTTP answer of its own.
    static func retryReason(_ error: any Error) -> String {
        if let status = (error as? RegistryError)?.status { return "answered \(status)" }
        let kind = (error as? HTTPClientError)?.kind ?? ((error as? RegistryError)?.cause as? HTTPClientError)?.kind
        return kind == .timeout ? "did not answer in time" : "dropped the connection"
    }
}

extension String {
    /// A delay for people: whole seconds from 2 s up, one decimal below (`0.5`, `1.2`, `4`).
    init(seconds value: Double) {
        let tenths = Swift.max(1, Int((value * 10).rounded()))
        self = value >= 2 ? String(Int(value.rounded())) : String(tenths / 10) + "." + String(tenths % 10)
    }

    /// A number with two decimals, without Foundation's `String(format:)`.
    init(format2 value: Double) {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        self = "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

import FoundationEssentials
import RegistryVocabulary

/// Access tokens by (realm, service, scopes, identity), shared by every request to a registry.
///
/// - A token is served until its expiry minus `margin`, so it is not sent just as it dies.
/// - Concurrent requests for the same key are coalesced into one token request: a pull of N layers in
///   parallel costs one token request, not N.
/// - A request whose token was refused passes it as `replacing`, which fetches a fresh one unless another
///   request already replaced it.
///
/// Tokens live in this process's memory only and are never written to disk, so processes neither share nor race
/// over them; within the process the actor serialises every change.
public actor TokenCache {
    /// The key tokens are cached under. Scopes compare as sets, never as strings.
    package struct Key: Sendable, Hashable {
        /// The realm URL.
        package var realm: String
        /// The service, if the challenge named one.
        package var service: String?
        /// The scopes the token was asked for.
        package var scopes: ScopeSet
        /// Whose token it is.
        package var identity: CredentialIdentity

        /// Creates a key.
        package init(realm: String, service: String?, scopes: ScopeSet, identity: CredentialIdentity) {
            self.realm = realm
            self.service = service
            self.scopes = scopes
            self.identity = identity
        }
    }

    /// Seconds before expiry at which a token is no longer served.
    public let margin: Double
    private let now: @Sendable () -> Date
    private var tokens: [Key: BearerToken] = [:]
    private var inFlight: [Key: Task<BearerToken, any Error>] = [:]

    /// Creates an empty cache.
    /// - Parameters:
    ///   - margin: seconds of lifetime a served token has left at least.
    ///   - now: the clock (tests pass their own).
    public init(margin: Double = 10, now: @escaping @Sendable () -> Date = { Date() }) {
        self.margin = margin
        self.now = now
    }

    /// A usable token for `key`: the cached one, or the result of the request already in flight, or a new one
    /// from `fetch`.
    /// - Parameters:
    ///   - key: what the token is for.
    ///   - stale: a token the registry refused; a cached token with this value is not served.
    ///   - fetch: gets a new token from the token server.
    /// - Throws: `fetch`'s error (every coalesced caller sees it; nothing is cached).
    package func token(
        for key: Key, replacing stale: String? = nil, fetch: @escaping @Sendable () async throws -> BearerToken
    ) async throws -> BearerToken {
        if let cached = tokens[key], cached.value != stale, cached.expiresAt.timeIntervalSince(now()) > margin {
            return cached
        }
        if let pending = inFlight[key] {
            return try await pending.value
        }
        tokens[key] = nil
        let task = Task { try await fetch() }
        inFlight[key] = task
        do {
            let token = try await task.value
            inFlight[key] = nil
            tokens[key] = token
            return token
        } catch {
            inFlight[key] = nil
            throw error
        }
    }

    /// The number of tokens held (for tests and explanations).
    public var count: Int { tokens.count }

    /// Forgets every token.
    public func removeAll() {
        tokens.removeAll()
    }
}

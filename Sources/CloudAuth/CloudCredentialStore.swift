import AuthCore
import Glibc
import HTTPTransport
import Synchronization

/// A cloud provider as a credential store, for the helper protocol: `get` serves a cached credential or mints one,
/// `list` names the registries with a cached credential, `store` and `erase` are refused because the cloud owns
/// the credential.
package struct CloudCredentialStore: CredentialStore {
    /// The provider.
    package let provider: any CloudProvider
    /// The token cache, `nil` when there is no place for it (no `HOME` and no `OSSB_TOKEN_CACHE_DIR`).
    package let cache: CloudTokenCache?
    let environment: Environment
    let explain: @Sendable (String) -> Void
    let makeHTTP: @Sendable () -> any HTTPClient
    let now: @Sendable () -> Int64

    package var name: String { "\(provider.cloudName) (\(CredentialHelperNames.helper(for: provider)))" }

    /// Creates the store.
    /// - Parameters:
    ///   - makeHTTP: builds the HTTP client, only when a credential must be minted (a cached `get` sets up nothing).
    package init(
        provider: any CloudProvider, environment: Environment, explain: @escaping @Sendable (String) -> Void,
        makeHTTP: @escaping @Sendable () -> any HTTPClient,
        now: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }
    ) {
        self.provider = provider
        self.environment = environment
        self.cache = CloudTokenCache(environment: environment)
        self.explain = explain
        self.makeHTTP = makeHTTP
        self.now = now
    }

    package func get(_ serverURL: String) throws -> HelperCredential? {
        let host = ServerAddress.host(of: serverURL)
        guard provider.serves(host: host) else {
            explain("\(provider.cloudName): \(host) is not one of its registries")
            return nil
        }
        let credential = try BlockingTask.run { [self] in try await self.credential(for: host) }
        return HelperCredential(serverURL: serverURL, username: credential.username, secret: credential.secret)
    }

    /// The credential for a registry host: from the cache when still good, else minted (and cached when it has an
    /// expiry far enough ahead).
    /// - Throws: `CredentialStoreError` (`.unavailable`) carrying the provider's one-line message.
    package func credential(for host: String) async throws -> CloudCredential {
        let context = CloudContext(environment: environment, http: LazyHTTPClient(make: makeHTTP), explain: explain, now: now)
        do {
            let identity = try provider.identity(for: host, in: context)
            if let identity, let cache, let cached = cache.get(host: host, identity: identity, now: now()) {
                explain("\(provider.cloudName): served from the token cache (\(cache.directory)), valid until \(cached.expiresAt ?? 0)")
                return cached
            }
            var credential = try await provider.credential(for: host, in: context)
            guard let identity, let cache else {
                explain("\(provider.cloudName): not cached (no identity known in advance or no cache directory)")
                return credential
            }
            credential.identity = identity
            do {
                let kept = try cache.put(host: host, credential, now: now())
                explain("\(provider.cloudName): " + (kept ? "cached in \(cache.directory)" : "not cached: it has no expiry or expires within \(CloudTokenCache.margin) s"))
            } catch {
                explain("\(provider.cloudName): not cached: \(error)")
            }
            return credential
        } catch let error as CloudAuthError {
            throw CredentialStoreError(.unavailable, error.message)
        }
    }

    package func store(_ credential: HelperCredential) throws {
        throw CredentialStoreError(.readOnly, ownedMessage)
    }

    package func erase(_ serverURL: String) throws {
        throw CredentialStoreError(.readOnly, ownedMessage)
    }

    var ownedMessage: String {
        "\(CredentialHelperNames.helper(for: provider)) stores nothing: \(provider.cloudName) mints these credentials for each registry; configure \(provider.cloudName) credentials instead"
    }

    package func list() throws -> [String: String] {
        guard let cache else { return [:] }
        return cache.list(now: now()).filter { provider.serves(host: $0.key) }
    }
}

/// Builds the real HTTP client on first use, so that serving from the cache never sets up libcurl.
struct LazyHTTPClient: HTTPClient {
    let client: LazyBox
    init(make: @escaping @Sendable () -> any HTTPClient) { client = LazyBox(make) }

    func send(_ request: HTTPRequest, sink: (any HTTPBodySink)?) async throws -> HTTPResponse {
        try await client.value.send(request, sink: sink)
    }

    final class LazyBox: Sendable {
        let make: @Sendable () -> any HTTPClient
        let stored = Mutex<(any HTTPClient)?>(nil)
        init(_ make: @escaping @Sendable () -> any HTTPClient) { self.make = make }
        var value: any HTTPClient {
            stored.withLock { stored in
                if let stored { return stored }
                let made = make()
                stored = made
                return made
            }
        }
    }
}

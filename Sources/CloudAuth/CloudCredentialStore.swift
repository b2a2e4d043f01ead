import AuthCore
import Glibc

/// A cloud provider as a credential store, for the helper protocol: `get` serves a cached credential or mints one,
/// `list` names the registries with a cached credential, `store` and `erase` are refused because the cloud owns
/// the credential.
///
/// Minting takes libcurl, whose dependencies take several milliseconds to load; serving from the cache takes none
/// of it. So the helper docker runs (`docker-credential-ossb-ecr`) links no libcurl and mints by running
/// `ossb-cloud-mint` (`Minter.program`), which mints in process (`Minter.inProcess`) and fills the cache.
package struct CloudCredentialStore: CredentialStore {
    /// How a credential that is not cached is obtained.
    package enum Minter: Sendable {
        /// The provider itself, with this HTTP client (built only when needed).
        case inProcess(@Sendable () -> any HTTPClient)
        /// The minting program, which caches what it mints.
        case program(CloudRegistry)
    }

    /// The provider.
    package let provider: any CloudProvider
    /// The token cache, `nil` when there is no place for it (no `HOME` and no `OSSB_TOKEN_CACHE_DIR`).
    package let cache: CloudTokenCache?
    let environment: Environment
    let explain: @Sendable (String) -> Void
    let minter: Minter
    let now: @Sendable () -> Int64

    package var name: String {
        "\(provider.cloudName) (docker-credential-\(CloudHelper.cloud(of: provider).helperName))"
    }

    /// Creates the store.
    /// - Parameters:
    ///   - minter: how a credential that is not cached is obtained.
    package init(
        provider: any CloudProvider, environment: Environment, explain: @escaping @Sendable (String) -> Void,
        minter: Minter, now: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }
    ) {
        self.provider = provider
        self.environment = environment
        self.cache = CloudTokenCache(environment: environment)
        self.explain = explain
        self.minter = minter
        self.now = now
    }

    package func get(_ serverURL: String) throws -> HelperCredential? {
        let host = ServerAddress.host(of: serverURL)
        guard provider.serves(host: host) else {
            explain("\(provider.cloudName): \(TerminalText.sanitized(host.prefix(300))) is not one of its registries")
            return nil
        }
        let identity: String?
        do {
            identity = try provider.identity(for: host, in: context(http: UnusedHTTPClient()))
        } catch let error as CloudAuthError {
            throw CredentialStoreError(.unavailable, error.message)
        }
        if let identity, let cache, let cached = cache.get(host: host, identity: identity, now: now()) {
            explain(
                "\(provider.cloudName): served from the token cache (\(cache.directory)), valid until \(cached.expiresAt ?? 0)"
            )
            return HelperCredential(
                serverURL: serverURL, username: cached.username, secret: cached.secret, expiresAt: cached.expiresAt)
        }
        switch minter {
        case .program(let cloud):
            return try MintingProgram(cloud: cloud, environment: environment).get(serverURL)
        case .inProcess(let makeHTTP):
            let credential = try BlockingTask.run { [self] in
                try await self.mint(host: host, identity: identity, http: makeHTTP())
            }
            return HelperCredential(
                serverURL: serverURL, username: credential.username, secret: credential.secret,
                expiresAt: credential.expiresAt)
        }
    }

    func context(http: any HTTPClient) -> CloudContext {
        CloudContext(environment: environment, http: http, explain: explain, now: now)
    }

    /// Mints a credential and caches it when it has an expiry far enough ahead.
    /// - Throws: `CredentialStoreError` (`.unavailable`) carrying the provider's one-line message.
    func mint(host: String, identity: String?, http: any HTTPClient) async throws -> CloudCredential {
        do {
            var credential = try await provider.credential(for: host, in: context(http: http))
            try checkSendable(credential, host: host)
            guard let identity, let cache else {
                explain("\(provider.cloudName): not cached (no identity known in advance or no cache directory)")
                return credential
            }
            credential.identity = identity
            do {
                let kept = try cache.put(host: host, credential, now: now())
                explain(
                    "\(provider.cloudName): "
                        + (kept
                            ? "cached in \(cache.directory)"
                            : "not cached: it has no expiry or expires within \(CloudTokenCache.margin) s"))
            } catch {
                explain("\(provider.cloudName): not cached: \(error)")
            }
            return credential
        } catch let error as CloudAuthError {
            throw CredentialStoreError(.unavailable, error.message)
        }
    }

    /// The longest registry credential accepted: cloud tokens are a few kilobytes.
    static let maximumSecret = 64 << 10

    /// A minted credential must be what a registry can take in an `Authorization` header: visible ASCII, no
    /// space, at most `maximumSecret` bytes. A token endpoint answering with control characters (a terminal
    /// escape, CR LF that would add header lines) or megabytes is misbehaving; its answer is never handed out.
    /// - Throws: `CloudAuthError` naming the cloud and the registry, never the token.
    func checkSendable(_ credential: CloudCredential, host: String) throws(CloudAuthError) {
        let visible = { (text: String) in text.utf8.allSatisfy { (0x21...0x7E).contains($0) } }
        guard !credential.secret.isEmpty, credential.secret.utf8.count <= Self.maximumSecret,
            visible(credential.secret), visible(credential.username)
        else {
            throw CloudAuthError(
                cloud: provider.cloudName,
                "\(provider.cloudName): the credential minted for \(host) is not a token a registry accepts (it is empty, longer than \(Self.maximumSecret) bytes, or holds spaces or control characters); the token endpoint or metadata service in use is misbehaving: check the endpoint settings (OSSB_EXPLAIN=1 names them)"
            )
        }
    }

    package func store(_ credential: HelperCredential) throws {
        throw CredentialStoreError(.readOnly, ownedMessage)
    }

    package func erase(_ serverURL: String) throws {
        throw CredentialStoreError(.readOnly, ownedMessage)
    }

    var ownedMessage: String {
        "docker-credential-\(CloudHelper.cloud(of: provider).helperName) stores nothing: \(provider.cloudName) mints these credentials for each registry; configure \(provider.cloudName) credentials instead"
    }

    package func list() throws -> [String: String] {
        guard let cache else { return [:] }
        return cache.list(now: now()).filter { provider.serves(host: $0.key) }
    }
}

/// The client of the identity step, which must make no request.
struct UnusedHTTPClient: HTTPClient {
    func send(_ request: HTTPRequest, sink: (any HTTPBodySink)?) async throws -> HTTPResponse {
        throw HTTPClientError(.other, "no request may be made while deciding the identity")
    }
}

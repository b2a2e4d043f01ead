/// What discovery is asked: credentials for a registry, and optionally the repository (containers' auth
/// files may hold credentials per namespace: `registry/namespace/repo`).
public struct CredentialRequest: Sendable, Equatable {
    /// The server address as the caller gave it (`https://index.docker.io/v1/`, `127.0.0.1:5000`).
    public var serverURL: String
    /// The registry host with port, normalised (`docker.io`, `127.0.0.1:5000`).
    public var host: String
    /// The repository path (`library/alpine`), when known.
    public var repository: String?

    /// Creates a request.
    public init(serverURL: String, repository: String? = nil) {
        self.serverURL = serverURL
        self.host = ServerAddress.host(of: serverURL)
        self.repository = repository
    }
}

/// One place discovery looks for credentials.
public protocol CredentialSource: Sendable {
    /// The source's name in explanations (`env`, `docker (/home/u/.docker/config.json)`).
    var name: String { get }

    /// The credentials this source holds for the request, or `nil`.
    /// - Throws: `ConfigurationError` for a malformed file, `HelperClientError` for a failing helper,
    ///   `CredentialStoreError` for a store that cannot be read.
    func credentials(for request: CredentialRequest) throws -> Credentials?

    /// Every server address this source holds credentials for, with its user name. Never a secret.
    func list() throws -> [String: String]

    /// Why this source is not asked for `request` at all (explanation mode shows it in place of "no
    /// credentials"), or `nil` when it is asked.
    func skipReason(for request: CredentialRequest) -> String?
}

extension CredentialSource {
    /// Every source is asked unless it says otherwise.
    public func skipReason(for request: CredentialRequest) -> String? { nil }
}

/// A source that is simply a credential store (env, file, Kubernetes secrets).
public struct StoreSource: CredentialSource {
    /// The store.
    public let store: any CredentialStore
    public var name: String { store.name }

    /// Wraps a store.
    public init(_ store: any CredentialStore) {
        self.store = store
    }

    public func credentials(for request: CredentialRequest) throws -> Credentials? {
        try store.get(request.serverURL)?.credentials
    }

    public func list() throws -> [String: String] { try store.list() }
}

/// The store behind `docker-credential-ossb`, the plugin-style front docker runs for `"credsStore": "ossb"`.
///
/// - `get`: discovery (`AuthProvider`), skipping answers the protocol cannot carry (registry tokens);
/// - `store` / `erase`: registry.json's `credential_store` (`WritableStore`);
/// - `list`: the union over every source, without secrets.
public struct FrontStore: CredentialStore {
    /// The discovery in use.
    public let provider: AuthProvider
    /// Where writes go.
    public let writable: WritableStore

    public var name: String { "ossb" }

    /// Builds the front from the environment.
    /// - Parameters:
    ///   - environment: the process environment.
    ///   - stderr: receives explanation lines and warnings.
    /// - Throws: `ConfigurationError` when registry.json is malformed.
    public init(environment: Environment, stderr write: @escaping @Sendable (String) -> Void) throws {
        // In explanation mode the notes are part of the explanation; otherwise they are warnings.
        var explain: (@Sendable (String) -> Void)? = nil
        var warn: @Sendable (String) -> Void = { line in write("ossb: warning: " + line) }
        if environment.flag("OSSB_EXPLAIN") {
            explain = { line in write("ossb: explain: " + line) }
            warn = { _ in }
        }
        let provider = try AuthProvider(environment: environment, explain: explain, warn: warn)
        self.provider = provider
        self.writable = WritableStore(config: provider.config, environment: environment) { line in
            write("ossb: note: " + line)
        }
    }

    public func get(_ serverURL: String) throws -> HelperCredential? {
        let found = try provider.discover(serverURL) { HelperCredential(serverURL: serverURL, credentials: $0) != nil }
        return found.flatMap { HelperCredential(serverURL: serverURL, credentials: $0.credentials) }
    }

    /// Stores through `WritableStore`. An empty Secret is refused: discovery treats a user name without a
    /// password as no credentials, so it would be stored and then "not found".
    public func store(_ credential: HelperCredential) throws {
        if credential.secret.isEmpty {
            throw CredentialStoreError(
                .invalidRequest,
                "the Secret is empty; discovery would never use it, so nothing was stored (store a password or token)")
        }
        try writable.store(credential)
    }

    public func erase(_ serverURL: String) throws {
        try writable.erase(serverURL)
    }

    public func list() throws -> [String: String] {
        provider.listAll()
    }
}

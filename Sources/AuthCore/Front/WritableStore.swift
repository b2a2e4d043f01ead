/// Where `store` and `erase` go: registry.json's `credential_store` (`auto`, `keyring`, `file`).
///
/// `auto` uses the keyring when a Secret Service answers and the file otherwise. With no D-Bus session at all
/// it decides for the file at once, without starting the keyring helper.
public struct WritableStore: Sendable {
    /// The configured choice.
    public let choice: CredentialStoreChoice
    let environment: Environment
    let runner: HelperRunner
    let note: @Sendable (String) -> Void

    /// Creates the selector.
    public init(config: RegistryConfig, environment: Environment, note: @escaping @Sendable (String) -> Void = { _ in }) {
        self.choice = config.credentialStore
        self.environment = environment
        self.runner = HelperRunner(environment: environment)
        self.note = note
    }

    func keyring() throws -> HelperClient {
        try HelperClient(name: KeyringSource.helperName, environment: runner.environment, searchFirst: runner.searchFirst)
    }

    func file() throws -> FileStore { try FileStore(environment: environment) }

    /// Stores a credential where the configuration says; returns the backend used (`keyring` or `file`).
    @discardableResult
    public func store(_ credential: HelperCredential) throws -> String {
        switch choice {
        case .file:
            try file().store(credential)
            return "file"
        case .keyring:
            try keyring().store(credential)
            return "keyring"
        case .auto:
            if KeyringSource.sessionBusMayExist(environment) {
                do {
                    try keyring().store(credential)
                    return "keyring"
                } catch {
                    note("keyring unavailable (\(error)); storing in the file backend instead")
                }
            }
            try file().store(credential)
            return "file"
        }
    }

    /// Erases a credential. `auto` erases from both the keyring (when there is a session bus) and the file, so
    /// that a logout leaves nothing behind wherever an earlier login put it.
    public func erase(_ serverURL: String) throws {
        switch choice {
        case .file: try file().erase(serverURL)
        case .keyring: try keyring().erase(serverURL)
        case .auto:
            if KeyringSource.sessionBusMayExist(environment) {
                do { try keyring().erase(serverURL) } catch { note("keyring: \(error); erased from the file backend only") }
            }
            try file().erase(serverURL)
        }
    }
}

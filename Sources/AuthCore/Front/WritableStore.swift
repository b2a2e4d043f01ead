/// Where `store` and `erase` go: registry.json's `credential_store` (`auto`, `keyring`, `file`).
///
/// `auto` uses the keyring when a Secret Service answers and the file otherwise. With no D-Bus session at all
/// it decides for the file at once, without starting the keyring helper.
public struct WritableStore: CredentialStore {
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

    public var name: String { "writable (\(choice.rawValue))" }

    /// The writable stores in effect: the file, the keyring, or (`auto`) the keyring when there is a session
    /// bus and then the file.
    private func backends() -> [any CredentialStore] {
        var stores: [any CredentialStore] = []
        if choice == .keyring || (choice == .auto && KeyringSource.sessionBusMayExist(environment)),
            let client = try? keyring()
        {
            stores.append(HelperClientStore(client: client))
        }
        if choice != .keyring, let file = try? file() { stores.append(file) }
        return stores
    }

    /// The credential in the writable stores (keyring first), for `logout` and `login` checks.
    public func get(_ serverURL: String) throws -> HelperCredential? {
        for store in backends() {
            do {
                if let found = try store.get(serverURL) { return found }
            } catch where choice == .auto && store is HelperClientStore {
                note("keyring: \(error); looking in the file backend")
            }
        }
        return nil
    }

    /// The union of the writable stores' entries.
    public func list() throws -> [String: String] {
        var result: [String: String] = [:]
        for store in backends().reversed() {
            do {
                result.merge(try store.list()) { _, new in new }
            } catch where choice == .auto && store is HelperClientStore {
                note("keyring: \(error); listing the file backend only")
            }
        }
        return result
    }

    func keyring() throws -> HelperClient {
        try HelperClient(name: KeyringSource.helperName, environment: runner.environment, searchFirst: runner.searchFirst)
    }

    func file() throws -> FileStore { try FileStore(environment: environment) }

    /// Stores a credential where the configuration says.
    public func store(_ credential: HelperCredential) throws {
        _ = try storeReportingBackend(credential)
    }

    /// Stores a credential where the configuration says; returns the backend used (`keyring` or `file`).
    public func storeReportingBackend(_ credential: HelperCredential) throws -> String {
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

/// A `CredentialStore` over an external helper run as a plugin.
public struct HelperClientStore: CredentialStore {
    /// The helper.
    public let client: HelperClient
    /// Wraps a helper client.
    public init(client: HelperClient) { self.client = client }
    public var name: String { client.programName }
    public func get(_ serverURL: String) throws -> HelperCredential? { try client.get(serverURL) }
    public func store(_ credential: HelperCredential) throws { try client.store(credential) }
    public func erase(_ serverURL: String) throws { try client.erase(serverURL) }
    public func list() throws -> [String: String] { try client.list() }
}

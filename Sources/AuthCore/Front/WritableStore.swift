/// Where `store` and `erase` go: registry.json's `credential_store` (`auto`, `keyring`, `file`).
///
/// `auto` uses the keyring, and falls back to the file only when there is no keyring to use: no D-Bus session
/// bus (`SessionBus.mayExist`, decided at once without starting the keyring helper, by the same rule the
/// helper itself applies), or a bus that cannot be reached or on which no Secret Service answers
/// (the helper's `KeyringSource.unavailablePrefix` failure). A keyring that is locked, does not answer in
/// time or fails otherwise is an error: writing the password to a plain-text file instead would be a silent
/// downgrade the user never chose.
public struct WritableStore: CredentialStore {
    /// The configured choice.
    public let choice: CredentialStoreChoice
    let environment: Environment
    let runner: HelperRunner
    let note: @Sendable (String) -> Void

    /// Where `storeReportingLocation` says a credential went when it went to the keyring.
    public static let keyringLocation = "the keyring (Secret Service)"

    /// Creates the selector.
    public init(config: RegistryConfig, environment: Environment, note: @escaping @Sendable (String) -> Void = { _ in })
    {
        self.choice = config.credentialStore
        self.environment = environment
        self.runner = HelperRunner(environment: environment)
        self.note = note
    }

    public var name: String { "writable (\(choice.rawValue))" }

    /// Whether the keyring is to be tried at all: always for `keyring`; for `auto` when a session bus may exist.
    private var usesKeyring: Bool {
        choice == .keyring || (choice == .auto && SessionBus.mayExist(environment))
    }

    /// Whether `error` from the keyring helper means there is no Secret Service here, the one keyring failure
    /// after which `auto` may use the file.
    static func meansNoKeyring(_ error: HelperClientError) -> Bool {
        error.answer.hasPrefix(KeyringSource.unavailablePrefix)
    }

    /// Runs `body` on the keyring for `auto` and `keyring`; `nil` when `auto` finds no keyring here, noted
    /// with the helper's reason and `fallback` (what happens instead).
    private func onKeyring<T>(_ fallback: String, _ body: (HelperClient) throws -> T) throws -> T? {
        guard usesKeyring else { return nil }
        do {
            return try body(try keyring())
        } catch let error as HelperClientError where choice == .auto && Self.meansNoKeyring(error) {
            note("\(error.answer); \(fallback)")
            return nil
        }
    }

    /// The credential in the writable stores (keyring first), for `logout` and `login` checks.
    public func get(_ serverURL: String) throws -> HelperCredential? {
        if let found = try onKeyring("reading the file backend only", { try $0.get(serverURL) }), let found {
            return found
        }
        return choice == .keyring ? nil : try file().get(serverURL)
    }

    /// The union of the writable stores' entries.
    public func list() throws -> [String: String] {
        var result = choice == .keyring ? [:] : try file().list()
        if let keyring = try onKeyring("listing the file backend only", { try $0.list() }) {
            result.merge(keyring) { _, new in new }
        }
        return result
    }

    func keyring() throws -> HelperClient {
        try HelperClient(
            name: KeyringSource.helperName, environment: runner.environment, searchFirst: runner.searchFirst)
    }

    func file() throws -> FileStore { try FileStore(environment: environment) }

    /// Stores a credential where the configuration says.
    public func store(_ credential: HelperCredential) throws {
        _ = try storeReportingLocation(credential)
    }

    /// Stores a credential where the configuration says.
    /// - Returns: where it went, for the user: `keyringLocation` or the file's path.
    /// - Throws: the keyring's error (locked, not answering) for `auto` too; only a missing keyring falls back.
    public func storeReportingLocation(_ credential: HelperCredential) throws -> String {
        if try onKeyring("storing in the file backend instead", { try $0.store(credential) }) != nil {
            return Self.keyringLocation
        }
        let file = try file()
        try file.store(credential)
        return file.path
    }

    /// Erases a credential. `auto` erases from both the keyring (when there is one) and the file, so that a
    /// logout leaves nothing behind wherever an earlier login put it. The file is erased even when the keyring
    /// failed; the keyring's failure is then thrown, saying its copy may remain.
    public func erase(_ serverURL: String) throws {
        var keyringFailure: (any Error)?
        do {
            _ = try onKeyring("erasing from the file backend only", { try $0.erase(serverURL) })
        } catch {
            keyringFailure = error
        }
        if choice != .keyring { try file().erase(serverURL) }
        guard let keyringFailure else { return }
        if let failure = keyringFailure as? HelperClientError {
            // No keyring at all (`keyring` chosen on a machine without one): nothing can remain in it.
            if Self.meansNoKeyring(failure) { throw failure }
            // Our keyring helper already says its copy may remain; its whole line is kept so that it still does.
            if failure.answer.contains("may remain") {
                throw CredentialStoreError(.unavailable, "\(failure.helper) failed to erase: \(failure.answer)")
            }
        }
        throw CredentialStoreError(.unavailable, "\(keyringFailure); the credential may remain in the keyring")
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

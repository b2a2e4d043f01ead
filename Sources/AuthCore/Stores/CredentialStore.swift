/// A place credentials are kept: every backend (environment, file, keyring, Kubernetes secrets, another
/// helper) implements this, and the helper protocol serves any of them.
///
/// Implementations match server addresses as `ServerAddress` describes: `store` uses the key as given, `get`
/// tries the exact key and then every key that `ServerAddress.matches`, `erase` removes every such key.
public protocol CredentialStore: Sendable {
    /// A short name for messages and explanations (`file`, `env`, `keyring`).
    var name: String { get }

    /// Finds the credential for a server address.
    /// - Parameter serverURL: the address as the client sent it.
    /// - Returns: the credential, its `serverURL` echoing the request; `nil` when there is none.
    /// - Throws: `CredentialStoreError` when the store cannot be read.
    func get(_ serverURL: String) throws -> HelperCredential?

    /// Saves a credential under `credential.serverURL` exactly as given, replacing any entry with that key.
    /// - Throws: `CredentialStoreError`; nothing stored is changed when it throws.
    func store(_ credential: HelperCredential) throws

    /// Removes every entry `get` would serve for this address (each key that `ServerAddress.matches`), and no
    /// other, so that after a logout no spelling is served. Removing a missing entry succeeds (docker's
    /// `logout` erases several spellings of each address and expects no error).
    /// - Throws: `CredentialStoreError`.
    func erase(_ serverURL: String) throws

    /// Every stored server address with its user name (`<token>` for an identity token). Never a secret.
    /// - Throws: `CredentialStoreError`.
    func list() throws -> [String: String]
}

import AuthCore

/// Chooses the store `login` writes to and `logout` erases from: the one place that decision lives.
///
/// For now the file backend (`OSSB_CREDENTIALS_FILE`, else `~/.ossb/credentials.json`); registry.json's
/// `credential_store` (`auto`, `keyring`, `file`) replaces this choice when the configuration lands.
public enum WritableStoreResolver {
    /// The writable store for an environment.
    /// - Throws: `CredentialStoreError` when it cannot be located (no `HOME`).
    public static func resolve(_ environment: Environment) throws -> any CredentialStore {
        try FileStore(environment: environment)
    }
}

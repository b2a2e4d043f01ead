import AuthCore

/// Chooses the store `login` writes to and `logout` erases from: registry.json's `credential_store` (`auto`:
/// the keyring when a Secret Service answers, else the file backend; `keyring`; `file`), the same choice the
/// `docker-credential-ossb` front makes for `docker login`.
public enum WritableStoreResolver {
    /// The writable store for an environment.
    /// - Throws: `ConfigurationError` when registry.json is malformed.
    public static func resolve(_ environment: Environment) throws -> any CredentialStore {
        let config = try RegistryConfig.load(environment: environment)
        _ = try HelperClient.timeout(in: environment)
        return WritableStore(config: config, environment: environment) { StandardStreams.write("ossb-registry: note: \($0)\n", to: 2) }
    }
}

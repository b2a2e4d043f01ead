import AuthCore

/// Chooses the store `login` writes to and `logout` erases from: registry.json's `credential_store` (`auto`:
/// the keyring when a Secret Service answers, else the file backend; `keyring`; `file`), the same choice the
/// `docker-credential-ossb` front makes for `docker login`.
public enum WritableStoreResolver {
    /// The writable store registry.json chooses.
    /// - Parameters:
    ///   - config: registry.json, already loaded.
    ///   - environment: the variables the stores read (`OSSB_CREDENTIALS_FILE`, `DBUS_SESSION_BUS_ADDRESS`).
    /// - Throws: `ConfigurationError` when `OSSB_HELPER_TIMEOUT` is malformed.
    public static func resolve(_ config: RegistryConfig, _ environment: Environment) throws -> any CredentialStore {
        _ = try HelperClient.timeout(in: environment)
        return WritableStore(config: config, environment: environment) {
            StandardStreams.write("ossb-registry: note: \($0)\n", to: 2)
        }
    }
}

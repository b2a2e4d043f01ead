import AuthCore
import CLibSecret

extension SecretServiceStore {
    /// Whether a Secret Service answers here: for choosing between the keyring and the file backend
    /// (`credential_store: auto`) without trying a real action.
    ///
    /// With no session bus at all it answers at once, without touching GLib; otherwise it costs one bus
    /// connection and one `Ping`, bounded by `OSSB_KEYRING_TIMEOUT`. A locked collection still counts as
    /// available (it answers; `get` then reports the lock).
    /// - Parameter environment: the variables to read (`OSSB_KEYRING_TIMEOUT`, the bus address).
    /// - Returns: `nil` when a Secret Service answers, else the error every action would fail with; its
    ///   message starts with `SecretServiceMessages.unavailablePrefix` (or names a bad `OSSB_KEYRING_TIMEOUT`).
    public static func probe(environment: Environment) -> CredentialStoreError? {
        do {
            let store = try SecretServiceStore(environment: environment)
            let timeout = store.timeout
            try KeyringCall.run(timeout: timeout) { cancellable in
                // A bare bus connection and a Ping: cheaper than building libsecret's service object.
                var error: UnsafeMutablePointer<GError>?
                guard let bus = g_bus_get_sync(G_BUS_TYPE_SESSION, cancellable, &error) else {
                    throw GLibFailure.convert(error, stage: .connect, timeout: timeout)
                }
                defer { g_object_unref(UnsafeMutableRawPointer(bus)) }
                if ossb_ping_service(bus, cancellable, &error) == 0 {
                    throw GLibFailure.convert(error, stage: .connect, timeout: timeout)
                }
            }
            return nil
        } catch let error as CredentialStoreError {
            return error
        } catch {
            return CredentialStoreError(.unavailable, "\(SecretServiceMessages.unavailablePrefix) \(error)")
        }
    }
}

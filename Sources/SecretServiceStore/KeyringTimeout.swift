import AuthCore

/// The bound on any one Secret Service call: `OSSB_KEYRING_TIMEOUT` seconds, 5 by default: far more than
/// a responsive keyring needs (milliseconds, docs/performance.md), little enough that a hung one is noticed soon.
///
/// Clients run credential helpers with no timeout of their own, so a keyring that never answers (a prompt
/// nobody sees, a hung D-Bus peer) would hang `docker pull`; this bound turns that into a clear error.
public enum KeyringTimeout {
    /// The default bound, in seconds.
    public static let defaultSeconds = 5.0

    /// Reads the bound from the environment.
    /// - Parameter environment: the variables to read `OSSB_KEYRING_TIMEOUT` from.
    /// - Returns: the bound in seconds (positive, finite).
    /// - Throws: `CredentialStoreError` (`.invalidRequest`) when the variable is set but is not a positive
    ///   number of seconds.
    public static func seconds(from environment: Environment) throws -> Double {
        do {
            return try environment.seconds("OSSB_KEYRING_TIMEOUT", default: defaultSeconds)
        } catch let error as ConfigurationError {
            throw CredentialStoreError(.invalidRequest, error.description)
        }
    }

    /// Seconds for messages: `5`, `0.5`.
    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}

/// Why a credential store could not do what was asked. Each description is one line that names the store,
/// the file or service, and what the user can do. None carries a secret.
public struct CredentialStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public enum Kind: Sendable, Equatable {
        /// The backend cannot write (`env`, `k8s`).
        case readOnly
        /// A file exists but is not what it should be (not JSON, wrong shape).
        case corrupt
        /// A file or service could not be read or written.
        case unavailable
        /// The request itself is invalid.
        case invalidRequest
    }

    /// The kind of failure.
    public let kind: Kind
    /// The full one-line message.
    public let message: String

    /// Creates an error with a finished message.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The error a read-only backend gives for `store` and `erase`.
    public static func readOnly(backend: String, action: String, hint: String) -> CredentialStoreError {
        CredentialStoreError(
            .readOnly, "the \(backend) credential store is read-only and cannot \(action) credentials; \(hint)")
    }

    public var description: String { message }
}

/// Why the kubelet credential provider could not answer: a malformed request or arguments, or a credential
/// source that failed. The message is one line for kubelet's log; it never carries a secret.
public struct CredentialProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The one-line message.
    public let message: String

    /// Creates an error with a finished message.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Why an HTTP exchange produced no response. The message names the host, never a credential or a query.
public struct HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public enum Kind: Sendable, Equatable {
        /// The host could not be resolved or connected to, or the connection broke.
        case connection
        /// The TLS handshake or certificate verification failed.
        case tls
        /// The exchange took longer than allowed.
        case timeout
        /// The task was cancelled.
        case cancelled
        /// A response body exceeded the buffering limit.
        case bodyTooLarge
        /// Too many redirects, or a redirect without a usable `Location`.
        case redirect
        /// Anything else the transport reports (a malformed response, an invalid URL).
        case other
    }

    /// The kind of failure.
    public let kind: Kind
    /// One line: what failed and where.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// Whether trying again may succeed (connections reset, timeouts).
    public var isRetryable: Bool { kind == .connection || kind == .timeout }

    public var description: String { message }
}

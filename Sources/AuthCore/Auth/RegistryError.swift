/// A registry operation's failure, with the Go package's fields (docs/origins.md): what failed (type, operation, registry), a message that says what
/// to do, and the underlying cause. No secret ever appears in a message.
public struct RegistryError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure: the Go package's error types.
    public enum ErrorType: String, Sendable, Equatable {
        /// Network failures, 5xx, 429: retryable.
        case network
        /// Wrong or missing credentials: not retryable.
        case authentication
        /// Credentials valid but not allowed: not retryable.
        case authorization
        /// The repository, manifest or blob does not exist: not retryable.
        case notFound = "not_found"
        /// Invalid input (a bad reference, a digest mismatch): not retryable.
        case validation
        /// A manifest could not be parsed or was rejected.
        case manifest
        /// A blob operation failed.
        case blob
    }

    /// The type.
    public let type: ErrorType
    /// The operation (`login`, `token`, `pull_image`, `push_image`; see `Operation`).
    public let operation: Operation
    /// The registry host.
    public let registry: String
    /// One line: what failed and what to do.
    public let message: String
    /// The underlying error, if any.
    public let cause: (any Error & Sendable)?
    /// The registry's error code (`MANIFEST_UNKNOWN`), when it sent one.
    public let code: String?
    /// The HTTP status, when the error came from a response.
    public let status: Int?

    /// Creates an error.
    public init(
        _ type: ErrorType, operation: Operation, registry: String, message: String,
        cause: (any Error & Sendable)? = nil,
        code: String? = nil, status: Int? = nil
    ) {
        self.type = type
        self.operation = operation
        self.registry = registry
        self.message = message
        self.cause = cause
        self.code = code
        self.status = status
    }

    /// Whether retrying the same request may succeed: network errors, 408, 429 and 5xx answers.
    public var isRetryable: Bool {
        if let status { return [408, 429, 500, 502, 503, 504].contains(status) }
        if let cause = cause as? HTTPClientError { return cause.isRetryable }
        return type == .network
    }

    public var description: String { message }
}

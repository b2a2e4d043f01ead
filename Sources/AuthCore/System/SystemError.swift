import Glibc

/// A failed system call on a path, described with the C library's message (`No such file or directory`).
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done ("open", "rename").
    public let operation: String
    /// The path it was done on.
    public let path: String
    /// The `errno` value.
    public let code: Int32

    /// Creates an error from an operation, a path and an `errno` value.
    public init(_ operation: String, path: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// The C library's text for `code`.
    public var reason: String { String(cString: strerror(code)) }

    public var description: String { "cannot \(operation) \(path): \(reason)" }
}

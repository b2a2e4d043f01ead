import Glibc

/// A failed system call on a path, described with the C library's message (`No such file or directory`).
package struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done ("open", "rename").
    package let operation: String
    /// The path it was done on.
    package let path: String
    /// The `errno` value.
    package let code: Int32

    /// Creates an error from an operation, a path and an `errno` value.
    package init(_ operation: String, path: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// The C library's text for `code`.
    package var reason: String { String(cString: strerror(code)) }

    package var description: String { "cannot \(operation) \(path): \(reason)" }
}

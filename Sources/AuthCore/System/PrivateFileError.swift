/// A file meant to hold secrets is not safe to use: `PrivateFile` says why and what to do. Never a secret.
package struct PrivateFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path that failed the check (the file, a symlink on the way, or the file inside a bad directory).
    package let path: String
    /// What is wrong and what to do, starting with a verb ("is writable by other users ...").
    package let problem: String

    /// Creates an error.
    package init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    package var description: String { "refusing \(path): it \(problem)" }
}

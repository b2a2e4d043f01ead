/// Why a document is not valid JSON, with the line and column where the problem starts.
///
/// The message never quotes the input: the document may hold a password.
package struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in words ("unexpected end of input").
    package let reason: String
    /// 1-based line of the offending byte.
    package let line: Int
    /// 1-based column (in bytes) of the offending byte.
    package let column: Int

    /// Creates an error.
    package init(reason: String, line: Int, column: Int) {
        self.reason = reason
        self.line = line
        self.column = column
    }

    package var description: String { "\(reason) at line \(line), column \(column)" }
}

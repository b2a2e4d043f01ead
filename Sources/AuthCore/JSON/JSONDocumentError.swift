/// A file that must hold one JSON object holds something else: invalid JSON, or another kind of value.
///
/// `problem` reads after the file's name ("is not valid JSON (...)", "holds an array, expected a JSON object"),
/// so that every configuration and credentials file is reported the same way, each caller adding what to do.
package struct JSONDocumentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, starting with a verb; never the document's content.
    package let problem: String

    /// Creates an error.
    package init(problem: String) {
        self.problem = problem
    }

    package var description: String { problem }
}

import Foundation

/// A fresh directory under the system's temporary directory, removed when the value is released.
package final class TemporaryDirectory: @unchecked Sendable {
    /// The directory.
    package let path: String

    /// Creates the directory.
    package init() {
        var template = Array("\(NSTemporaryDirectory())/ossb-test-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = String(cString: created!)
    }

    /// The path of a file inside.
    package func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes a file inside, creating its directories.
    package func write(_ name: String, _ text: String) throws {
        let url = URL(fileURLWithPath: file(name))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Reads a file inside as UTF-8.
    package func read(_ name: String) throws -> String {
        try String(contentsOfFile: file(name), encoding: .utf8)
    }

    /// Whether a file inside exists.
    package func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

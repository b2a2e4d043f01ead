import Foundation

/// This package's checkout, found from this source file's location: for tests that run its scripts or read
/// its files (`scripts/testbed/seed-image.py`, `helpers/`).
package enum SourceTree {
    /// The repository root, the directory holding Package.swift (this file is Tests/TestSupport/SourceTree.swift).
    package static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
}

import Foundation
import OSSBTestSupport
import Testing

/// The tree is formatted as `.swift-format` says (120 columns, 4 spaces) and passes `swift format lint --strict`:
/// a rule the build checks rather than one a reviewer has to remember. To fix a failure:
/// `swift format -i -r -p Sources helpers Tests fuzz bench Package.swift`.
@Suite struct FormatLintTests {
    static let paths = ["Sources", "helpers", "Tests", "fuzz", "bench", "Package.swift"]

    /// What `swift format lint --strict` says about `paths` under `root`, with the configuration of this tree. Its
    /// findings go to a file: an unformatted tree says more than a pipe holds while the other pipe is drained.
    static func lint(_ paths: [String], under root: String) throws -> (status: Int32, findings: String) {
        let swift = try #require(TestProcess.which("swift"), "swift is not on PATH")
        let scratch = TemporaryDirectory()
        let findings = scratch.file("findings")
        let quoted =
            ([swift, "format", "lint", "--strict", "-r", "-p", "--configuration", "\(SourceTree.root)/.swift-format"]
            + paths.map { "\(root)/\($0)" }).map { "'\($0)'" }.joined(separator: " ")
        let result = try TestProcess.run(
            "/bin/sh", ["-c", "\(quoted) > '\(findings)' 2>&1"], environment: ProcessInfo.processInfo.environment)
        return (result.status, (try? String(contentsOfFile: findings, encoding: .utf8)) ?? "")
    }

    @Test func theTreeIsFormatted() throws {
        let result = try Self.lint(Self.paths, under: SourceTree.root)
        #expect(result.status == 0 && result.findings.isEmpty, "\(result.findings.prefix(4000))")
    }

    /// The same check on a file formatted otherwise: it fails and names the file.
    @Test func aBadlyFormattedFileIsNamed() throws {
        let module = TemporaryDirectory()
        try module.write("Sloppy.swift", "struct Sloppy { let a = 1; let b = 2 }\nfunc  f( ) {}\n")
        let result = try Self.lint(["Sloppy.swift"], under: module.path)
        #expect(result.status != 0)
        #expect(result.findings.contains("Sloppy.swift"), "\(result.findings)")
    }
}

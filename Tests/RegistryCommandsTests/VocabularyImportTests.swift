import Foundation
import OSSBTestSupport
import Testing

/// RegistryVocabulary imports nothing, not even Glibc or FoundationEssentials: every helper links it, the fuzzers
/// compile it on its own, and a parser of registry words needs the standard library alone. An `import` in any of
/// its files fails this test, so the rule holds without anyone remembering it.
@Suite struct VocabularyImportTests {
    static let vocabulary = "\(LinkageTests.packageRoot)/Sources/RegistryVocabulary"

    @Test func noFileOfTheVocabularyImportsAnything() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.vocabulary).filter {
            $0.hasSuffix(".swift")
        }
        #expect(files.contains("ImageReference.swift") && files.contains("DockerHub.swift"), "scanned \(files)")
        let imports = try FoundationImportScan.importLines(under: Self.vocabulary)
        #expect(imports == [], "RegistryVocabulary must import nothing; move code that needs a library to AuthCore")
    }

    /// The scan on a module like the vocabulary with one file that breaks the rule: it names that file and line,
    /// and nothing else (comments and strings that mention an import are not imports).
    @Test func aFileWithAnImportIsNamed() throws {
        let module = TemporaryDirectory()
        try module.write("Clean.swift", "// import Glibc would load the C library\nlet text = \"import Glibc\"\n")
        try module.write("Sneaky.swift", "/// Needs strlen.\n@preconcurrency import Glibc\npublic struct Sneaky {}\n")
        try module.write("Notes.md", "import Foundation\n")
        #expect(try FoundationImportScan.importLines(under: module.path) == ["Sneaky.swift:2: import Glibc"])
    }
}

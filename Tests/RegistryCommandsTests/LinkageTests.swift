import Foundation
import OSSBTestSupport
import Testing

/// The helpers start in about a millisecond because of what they do not load: no libcurl, no libcrypto, no
/// Foundation (with ICU), and no libsecret except in the keyring helper. Only `ossb-registry` and the cloud helpers
/// (which mint tokens over the network and sign requests) may link the network code; the cloud helpers still load
/// no Foundation. Every executable in `helpers/` is checked; one that is not built fails the test instead of
/// skipping it.
@Suite struct LinkageTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The helpers, read from the directory so that a new one is checked without editing this test.
    static let helpers: [String] = (try? FileManager.default.contentsOfDirectory(atPath: "\(packageRoot)/helpers"))?
        .filter { !$0.hasPrefix(".") }.sorted() ?? []

    /// Shared libraries that must not be loaded, as they appear in `ldd`'s output.
    static let forbiddenLibraries = [
        "libcurl", "libcrypto", "libssl", "libFoundation.so", "libFoundationNetworking", "libFoundationXML",
        "lib_FoundationICU", "libicu",
    ]
    /// Symbols that show the same code linked statically (a `--static-swift-stdlib` or static-executable build):
    /// Swift's mangling of the Foundation modules, libcurl's and libcrypto's entry points, ICU's collator and date
    /// formatter (a `--static-swift-stdlib` program using DateFormatter defines about 19,000 `$s10Foundation`
    /// symbols and ICU's `ucol_` and `udat_` functions).
    static let forbiddenSymbolPrefixes = [
        "$s10Foundation", "$s20FoundationNetworking", "$s13FoundationXML", "curl_easy_", "OPENSSL_init", "EVP_Digest",
        "ucol_", "udat_",
    ]
    /// The cloud helpers: the only helpers that may link libcurl and libcrypto (through CloudAuth).
    static let cloudHelpers: Set<String> = [
        "docker-credential-ossb-ecr", "docker-credential-ossb-gcr", "docker-credential-ossb-acr",
    ]
    /// What the cloud helpers may have that the others must not.
    static let networkContent: Set<String> = [
        "libcurl", "libcrypto", "libssl", "symbols curl_easy_…", "symbols OPENSSL_init…", "symbols EVP_Digest…",
    ]
    /// The keyring's libraries, for the helpers that have no business with the keyring.
    static let keyringLibraries = ["libsecret", "libgio", "libgcrypt"]

    /// Where the executables are: the build beside the tests, or `OSSB_LINKAGE_BIN_DIR` to check another build
    /// (scripts/install.sh's fully static helpers, for example).
    static let binDirectory = ProcessInfo.processInfo.environment["OSSB_LINKAGE_BIN_DIR"] ?? Subprocess.productsDirectory

    static func binary(_ product: String) throws -> String {
        let path = "\(binDirectory)/\(product)"
        try #require(FileManager.default.isExecutableFile(atPath: path), "\(path) is not built; run swift build first")
        return path
    }

    /// What the dynamic loader loads for `path` (`ldd` follows the dependencies of dependencies).
    static func loadedLibraries(_ path: String) throws -> String {
        let ldd = try #require(Subprocess.which("ldd"), "ldd is not on PATH")
        let result = try Subprocess.run(ldd, [path], environment: ["PATH": "/usr/bin:/bin"])
        // A fully static executable loads nothing; what it holds, the symbol check sees.
        if result.stdout.contains("not a dynamic executable") || result.stderr.contains("not a dynamic executable") {
            return ""
        }
        try #require(result.status == 0, "ldd \(path): \(result)")
        return result.stdout
    }

    /// The names of the symbols `path` defines itself (statically linked code included).
    static func definedSymbols(_ path: String) throws -> [Substring] {
        let nm = try #require(Subprocess.which("nm"), "nm (binutils) is not on PATH")
        let result = try Subprocess.run(nm, ["--defined-only", path], environment: ["PATH": "/usr/bin:/bin"])
        try #require(result.status == 0, "nm \(path): \(result.stderr)")
        return result.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").last }
    }

    /// Everything in `path` that a helper must not have: loaded libraries and statically linked symbols.
    static func forbiddenContent(_ path: String) throws -> [String] {
        let loaded = try loadedLibraries(path)
        let libraries = forbiddenLibraries.filter { loaded.contains($0) }
        let symbols = try definedSymbols(path)
        let prefixes = forbiddenSymbolPrefixes.filter { prefix in symbols.contains { $0.hasPrefix(prefix) } }
        return libraries + prefixes.map { "symbols \($0)…" }
    }

    @Test func everyHelperIsChecked() {
        #expect(Self.helpers.count >= 6, "helpers/ lists \(Self.helpers)")
    }

    @Test(arguments: LinkageTests.helpers)
    func helperLinksNoNetworkCodeNorFoundation(_ helper: String) throws {
        let path = try Self.binary(helper)
        var found = try Self.forbiddenContent(path)
        if Self.cloudHelpers.contains(helper) { found.removeAll { Self.networkContent.contains($0) } }
        #expect(found == [], "\(helper) links what a helper must not")
        if helper != "docker-credential-ossb-secretservice" {
            let loaded = try Self.loadedLibraries(path)
            #expect(Self.keyringLibraries.filter { loaded.contains($0) } == [], "\(helper) loads the keyring's libraries")
        }
    }

    /// The same check on the command, which links libcurl and libcrypto on purpose: proof that the check sees them.
    @Test func theCheckFindsLibcurlInTheCommand() throws {
        let found = try Self.forbiddenContent(try Self.binary("ossb-registry"))
        #expect(found.contains("libcurl"))
        #expect(found.contains("libcrypto"))
        #expect(found.contains("symbols curl_easy_…") == false, "libcurl is linked dynamically, not into the binary")
    }

    /// The exemption is for the cloud helpers alone: each one that exists does link libcurl (so the check would see
    /// it in any other helper), and no other helper is exempt.
    @Test func onlyTheCloudHelpersMayLinkTheNetworkCode() throws {
        #expect(Self.cloudHelpers.allSatisfy { $0.hasPrefix("docker-credential-ossb-") } && Self.cloudHelpers.count == 3)
        let present = Self.helpers.filter { Self.cloudHelpers.contains($0) }
        #expect(present.contains("docker-credential-ossb-ecr"))
        for helper in present {
            let found = try Self.forbiddenContent(try Self.binary(helper))
            #expect(found.contains("libcurl"), "\(helper) was expected to link libcurl")
            #expect(found.filter { !Self.networkContent.contains($0) } == [], "\(helper) loads Foundation or ICU")
        }
    }

    @Test func noModuleAHelperLinksImportsFoundation() throws {
        let modules = try FoundationImportScan.helperModules(packageRoot: Self.packageRoot)
        #expect(modules["AuthCore"] != nil && modules["SecretServiceStore"] != nil, "\(modules.keys.sorted())")
        #expect(modules["CloudAuth"] != nil, "the cloud helpers' module is scanned too")
        let networkFree = try FoundationImportScan.helperModules(packageRoot: Self.packageRoot, excluding: Self.cloudHelpers)
        #expect(networkFree["HTTPTransport"] == nil, "a helper other than the cloud helpers links HTTPTransport (libcurl)")
        var offenders: [String] = []
        for (_, directory) in modules.sorted(by: { $0.key < $1.key }) {
            let root = "\(Self.packageRoot)/\(directory)"
            let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
            for file in files where file.hasSuffix(".swift") {
                let text = try String(contentsOfFile: "\(root)/\(file)", encoding: .utf8)
                offenders += FoundationImportScan.offendingLines(in: text).map { "\(directory)/\(file):\($0)" }
            }
        }
        #expect(offenders == [], "these files import Foundation; use FoundationEssentials (and Glibc)")
    }

    /// The scan itself, on a file that breaks the rule in every spelling: it must flag each one.
    @Test func theScanFlagsEverySpellingOfImportFoundation() {
        let source = """
            import FoundationEssentials
            @preconcurrency import Foundation
            import struct Foundation.Data
            // import Foundation
              import FoundationNetworking
            import Glibc
            @_exported import Foundation.NSData
            let text = "import Foundation"
            """
        #expect(FoundationImportScan.offendingLines(in: source) == [2, 3, 5, 7])
    }
}

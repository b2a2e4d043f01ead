import Foundation
import OSSBTestSupport
import Testing

/// The helpers start in about a millisecond because of what they do not load: no libcurl, no libcrypto, no
/// Foundation (with ICU), and no libsecret except in the keyring helper. Only `ossb-registry` and `ossb-cloud-mint`
/// (which mints cloud tokens over the network) may link libcurl; the cloud helpers, which serve cached tokens and
/// run `ossb-cloud-mint` for new ones, may link libcrypto (request signing) but not libcurl. Every executable in
/// `helpers/` is checked; one that is not built fails the test instead of skipping it.
@Suite struct LinkageTests {
    static let packageRoot = SourceTree.root

    /// The helpers, read from the directory so that a new one is checked without editing this test.
    static let helpers: [String] =
        (try? FileManager.default.contentsOfDirectory(atPath: "\(packageRoot)/helpers"))?
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
    /// The cloud helpers: they may link libcrypto (through CloudAuth), and nothing else the others may not.
    static let cloudHelpers: Set<String> = [
        "docker-credential-ossb-ecr", "docker-credential-ossb-gcr", "docker-credential-ossb-acr",
    ]
    /// The program the cloud helpers run to mint: the one helper program that may link libcurl.
    static let mintingProgram = "ossb-cloud-mint"
    /// What the cloud helpers may have that the others must not.
    static let cryptoContent: Set<String> = ["libcrypto", "symbols OPENSSL_init…", "symbols EVP_Digest…"]
    /// What the minting program may have besides.
    static let networkContent: Set<String> = cryptoContent.union(["libcurl", "libssl", "symbols curl_easy_…"])

    /// What `helper` may link of the forbidden content.
    static func allowed(for helper: String) -> Set<String> {
        helper == mintingProgram ? networkContent : cloudHelpers.contains(helper) ? cryptoContent : []
    }
    /// The keyring's libraries, for the helpers that have no business with the keyring.
    static let keyringLibraries = ["libsecret", "libgio", "libgcrypt"]

    /// Where the executables are: the build beside the tests, or `OSSB_LINKAGE_BIN_DIR` to check another build
    /// (scripts/install.sh's fully static helpers, for example).
    static let binDirectory =
        ProcessInfo.processInfo.environment["OSSB_LINKAGE_BIN_DIR"] ?? TestProcess.productsDirectory

    static func binary(_ product: String) throws -> String {
        let path = "\(binDirectory)/\(product)"
        try #require(FileManager.default.isExecutableFile(atPath: path), "\(path) is not built; run swift build first")
        return path
    }

    /// What the dynamic loader loads for `path` (`ldd` follows the dependencies of dependencies).
    static func loadedLibraries(_ path: String) throws -> String {
        let ldd = try #require(TestProcess.which("ldd"), "ldd is not on PATH")
        let result = try TestProcess.run(ldd, [path], environment: ["PATH": "/usr/bin:/bin"])
        // A fully static executable loads nothing; what it holds, the symbol check sees.
        if result.stdout.contains("not a dynamic executable") || result.stderr.contains("not a dynamic executable") {
            return ""
        }
        try #require(result.status == 0, "ldd \(path): \(result)")
        return result.stdout
    }

    /// The names of the symbols `path` defines itself (statically linked code included).
    static func definedSymbols(_ path: String) throws -> [Substring] {
        let nm = try #require(TestProcess.which("nm"), "nm (binutils) is not on PATH")
        let result = try TestProcess.run(nm, ["--defined-only", path], environment: ["PATH": "/usr/bin:/bin"])
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
        found.removeAll { Self.allowed(for: helper).contains($0) }
        #expect(found == [], "\(helper) links what a helper must not")
        if helper != "docker-credential-ossb-secretservice" {
            let loaded = try Self.loadedLibraries(path)
            #expect(
                Self.keyringLibraries.filter { loaded.contains($0) } == [], "\(helper) loads the keyring's libraries")
        }
    }

    /// The same check on the command, which links libcurl and libcrypto on purpose: proof that the check sees them.
    @Test func theCheckFindsLibcurlInTheCommand() throws {
        let found = try Self.forbiddenContent(try Self.binary("ossb-registry"))
        #expect(found.contains("libcurl"))
        #expect(found.contains("libcrypto"))
        #expect(found.contains("symbols curl_easy_…") == false, "libcurl is linked dynamically, not into the binary")
    }

    /// The exemptions are narrow: the minting program does link libcurl (so the check would see it anywhere else),
    /// the cloud helpers link libcrypto but not libcurl, and no other helper is exempt.
    @Test func onlyTheMintingProgramLinksLibcurl() throws {
        #expect(
            Self.cloudHelpers.allSatisfy { $0.hasPrefix("docker-credential-ossb-") } && Self.cloudHelpers.count == 3)
        let mint = try Self.forbiddenContent(try Self.binary(Self.mintingProgram))
        #expect(mint.contains("libcurl"), "ossb-cloud-mint was expected to link libcurl: \(mint)")
        let present = Self.helpers.filter { Self.cloudHelpers.contains($0) }
        #expect(present.contains("docker-credential-ossb-ecr"))
        for helper in present {
            let found = try Self.forbiddenContent(try Self.binary(helper))
            #expect(!found.contains("libcurl"), "\(helper) links libcurl: a cached get would pay for loading it")
            #expect(found.filter { !Self.cryptoContent.contains($0) } == [], "\(helper) links \(found)")
        }
    }

    @Test func noModuleAHelperLinksImportsFoundation() throws {
        let modules = try FoundationImportScan.helperModules(packageRoot: Self.packageRoot)
        #expect(
            modules["AuthCore"] != nil && modules["SecretServiceStore"] != nil && modules["RegistryVocabulary"] != nil,
            "\(modules.keys.sorted())")
        #expect(modules["CloudAuth"] != nil, "the cloud helpers' module is scanned too")
        let networkFree = try FoundationImportScan.helperModules(
            packageRoot: Self.packageRoot, excluding: [Self.mintingProgram])
        #expect(
            networkFree["HTTPTransport"] == nil, "a helper other than ossb-cloud-mint links HTTPTransport (libcurl)")
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

import AuthCore
import Foundation
import OSSBTestSupport
import RegistryVocabulary
import Testing

@testable import RegistryClient

/// The cache's origins files on their own (no registry): names, lines cut short by a crash, files from earlier
/// versions, and what `usage`/`prune` count.
@Suite struct OriginFileTests {
    let home = TemporaryDirectory()
    var cache: BlobCache { BlobCache(root: home.file("cache")) }
    let first = try! Digest("sha256:" + String(repeating: "a", count: 64))
    let second = try! Digest("sha256:" + String(repeating: "b", count: 64))

    @Test func aRegistryNameCannotNameAnotherFile() {
        let cache = BlobCache(root: "/c")
        #expect(cache.originsFile("127.0.0.1:5000") == "/c/origins/registries/127.0.0.1:5000")
        #expect(cache.originsFile("..") == "/c/origins/registries/%2E.")
        #expect(cache.originsFile("a/../b") == "/c/origins/registries/a%2F..%2Fb")
        #expect(cache.originsFile("[::1]:5000") == "/c/origins/registries/%5B::1%5D:5000")
        #expect(cache.originsFile("") == nil)
    }

    @Test func aLineCutShortByACrashDoesNotSwallowTheNextOne() throws {
        let file = try #require(cache.originsFile("r.example"))
        try FileManager.default.createDirectory(
            atPath: FileIO.directoryName(of: file), withIntermediateDirectories: true)
        try "\(first) team/ap".write(toFile: file, atomically: false, encoding: .utf8)
        cache.recordOrigins([BlobOrigin(second, registry: "r.example", repository: "team/app")])
        #expect(cache.origins(in: "r.example").repositories(holding: second) == ["team/app"])
        // A repository whose name begins another's is a line of its own.
        cache.recordOrigin(second, registry: "r.example", repository: "team")
        #expect(cache.origins(in: "r.example").repositories(holding: second) == ["team/app", "team"])
    }

    @Test func eachLineOnceAcrossPullsAndBothKindsOfFileAreRead() throws {
        cache.recordOrigins([
            BlobOrigin(first, registry: "r.example", repository: "one"),
            BlobOrigin(second, registry: "r.example", repository: "one"),
            BlobOrigin(first, registry: "other.example", repository: "elsewhere"),
        ])
        cache.recordOrigin(first, registry: "r.example", repository: "one")
        cache.recordOrigin(first, registry: "r.example", repository: "two")
        // An earlier version's file for the blob: `<registry> <repository>` lines.
        try "r.example three\nother.example four\nr.example one\n".write(
            toFile: home.file("cache/origins/\(first.encoded)"), atomically: false, encoding: .utf8)
        let index = cache.origins(in: "r.example")
        #expect(index.repositories(holding: first) == ["one", "two", "three"])
        #expect(index.repositories(holding: second) == ["one"])
        let lines = try String(contentsOfFile: cache.originsFile("r.example")!, encoding: .utf8)
        #expect(lines == "\(first) one\n\(second) one\n\(first) two\n")

        #expect(cache.usage().records == 3, "two registries' files and the earlier version's")
        let removed = cache.prune(partialsOnly: false)
        #expect(removed.records == 3 && removed.recordBytes > 0)
        #expect(!FileManager.default.fileExists(atPath: home.file("cache/origins")))
        #expect(cache.usage().records == 0)
    }
}

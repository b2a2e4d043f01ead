import AuthCore
import Foundation
import Glibc
import HTTPTransport
import RegistryVocabulary
import Testing

@testable import RegistryClient

/// A pull's blobs reach the layout even when the cache cannot keep its copies: the layout is what the user asked
/// for, the cache only saves a later download. The caller hears how many blobs the cache missed, to warn once.
struct BlobBatchTests {
    let home = TemporaryDirectory()

    @Test func aCacheThatCannotKeepCopiesLeavesTheLayoutCompleteAndIsReported() throws {
        let layout = OCILayout(path: home.file("layout"))
        try layout.create()
        // Where the cache's copies are made is not a directory: every copy fails.
        let cache = BlobCache(root: home.file("cache"))
        try FileManager.default.createDirectory(atPath: cache.root, withIntermediateDirectories: true)
        try Data("not a directory".utf8).write(to: URL(fileURLWithPath: "\(cache.root)/tmp"))
        let batch = BlobBatch(cache: cache, layout: layout)
        var digests: [Digest] = []
        for size in [100, 200 << 10] {
            let bytes = [UInt8](repeating: UInt8(size & 0xff), count: size)
            let hash = SHA256Digest()
            hash.update(bytes)
            let digest = try Digest(hash.finish())
            let temporary = BlobCache.temporaryPath(beside: layout.blobPath(digest))
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
            batch.addCopy(
                temporary, becoming: layout.blobPath(digest),
                caching: BlobOrigin(digest, registry: "example.test", repository: "app"))
            digests.append(digest)
        }
        let failure = try batch.commit()
        #expect(failure?.count == 2, "\(String(describing: failure))")
        for digest in digests {
            #expect(FileManager.default.fileExists(atPath: layout.blobPath(digest)), "the layout has \(digest)")
            #expect(cache.lookup(digest) == nil)
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: "\(layout.path)/blobs/sha256")
        #expect(left.allSatisfy { !$0.contains(".") }, "no temporary file is left: \(left)")
    }
}

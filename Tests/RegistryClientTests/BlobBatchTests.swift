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

    /// A verified download of `size` bytes beside its name in `layout`, added to `batch` for the cache to keep.
    func stage(size: Int, in layout: OCILayout, batch: BlobBatch) throws -> StagedBlob {
        let bytes = [UInt8](repeating: UInt8(size & 0xff), count: size)
        let hash = SHA256Digest()
        hash.update(bytes)
        let digest = try Digest(hash.finish())
        let temporary = BlobCache.temporaryPath(beside: layout.blobPath(digest))
        try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        let download = StagedBlob(
            digest: digest, temporary: temporary, file: try #require(FileIdentity(path: temporary)),
            registry: "example.test", repository: "app")
        batch.addCopy(temporary, becoming: layout.blobPath(digest), caching: download)
        return download
    }

    /// Whoever may write the layout's directory (a layout in a shared directory) can put another file under a
    /// verified download's name before it is placed. The layout is theirs to spoil, but the cache, which only
    /// its owner can write, never takes that file: it keeps only the file that was verified.
    @Test(arguments: [100, 200 << 10])
    func aFileSwappedInForAVerifiedDownloadNeverEntersTheCache(size: Int) throws {
        let layout = OCILayout(path: home.file("layout"))
        try layout.create()
        let cache = BlobCache(root: home.file("cache"))
        let batch = BlobBatch(cache: cache, layout: layout)
        let download = try stage(size: size, in: layout, batch: batch)
        try cache.prepareDownloads(of: [download.digest])
        // The swap: a file of the same size, other bytes, renamed over the download's name.
        let planted = home.file("planted")
        try Data(repeating: 0x41, count: size).write(to: URL(fileURLWithPath: planted))
        #expect(rename(planted, download.temporary) == 0)

        let failure = try batch.commit()
        #expect(failure?.count == 1, "\(String(describing: failure))")
        #expect("\(failure.map { "\($0.failure)" } ?? "")".contains("another file has taken its place"))
        #expect(!FileManager.default.fileExists(atPath: cache.path(for: download.digest)), "the cache took it")
        #expect(cache.lookup(download.digest) == nil)
        let left = try FileManager.default.contentsOfDirectory(atPath: "\(cache.root)/tmp")
        #expect(left.isEmpty, "\(left)")
    }

    @Test func aCacheThatCannotKeepCopiesLeavesTheLayoutCompleteAndIsReported() throws {
        let layout = OCILayout(path: home.file("layout"))
        try layout.create()
        // Where the cache's copies are made is not a directory: every copy fails.
        let cache = BlobCache(root: home.file("cache"))
        try FileManager.default.createDirectory(atPath: cache.root, withIntermediateDirectories: true)
        try Data("not a directory".utf8).write(to: URL(fileURLWithPath: "\(cache.root)/tmp"))
        let batch = BlobBatch(cache: cache, layout: layout)
        let digests = try [100, 200 << 10].map { try stage(size: $0, in: layout, batch: batch).digest }
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

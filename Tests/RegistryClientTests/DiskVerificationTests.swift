import AuthCore
import Foundation
import Glibc
import HTTPTransport
import RegistryVocabulary
import Testing

@testable import RegistryClient

/// What is on disk is what the digest says: a tampered blob in a layout or the cache is never reused, a cache
/// directory others can write is refused, and `push` sends nothing a crafted layout points at.
@Suite(.enabled(if: TestServers.hostile != nil, "needs scripts/test.sh's hostile registry"))
struct DiskVerificationTests {
    let home = TemporaryDirectory()

    func client(cache: String? = nil) throws -> RegistryClient {
        var options = ClientOptions(environment: Environment(["HOME": home.path, "PATH": "/usr/bin:/bin"]))
        options.retry = RetryPolicy(maxAttempts: 1, baseDelay: 0.01, maxDelay: 0.01, maxTotal: 1)
        options.warn = { _ in }
        options.cacheDirectory = cache
        return try RegistryClient(options: options)
    }

    func ref(_ repo: String) throws -> ImageReference {
        try ImageReference.parse("\(try #require(TestServers.hostile).registry)/\(repo):latest")
    }

    func sha256(_ path: String) throws -> String {
        let hash = SHA256Digest()
        hash.update(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        return hash.finish()
    }

    /// Pulls the honest image and returns its layer's digest.
    func pullGood(to directory: String, client: RegistryClient? = nil) async throws -> Digest {
        let result = try await (client ?? self.client()).pull(try ref("good"), to: directory)
        let document = try ManifestDocument(
            bytes: try OCILayout(path: directory).readBlob(try result.descriptor.parsedDigest()))
        guard case .image(let manifest) = document.content else { throw TestFailure("not an image manifest") }
        return try manifest.layers[0].parsedDigest()
    }

    /// Overwrites a file's bytes in place (same inode, same size) and puts its modification time back.
    func tamperInPlace(_ path: String) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.write(contentsOf: Data("TAMPERED".utf8))
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: attributes[.modificationDate]!], ofItemAtPath: path)
    }

    @Test func aTamperedBlobInTheOutputLayoutIsReplaced() async throws {
        let out = home.file("layout")
        let layer = try await pullGood(to: out)
        let path = OCILayout(path: out).blobPath(layer)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        unlink(path)
        try Data(repeating: 0x41, count: size).write(to: URL(fileURLWithPath: path))
        _ = try await pullGood(to: out)
        #expect(try sha256(path) == layer.description, "the tampered file survived the second pull")
    }

    @Test func aBlobTamperedInTheCacheIsNotReused() async throws {
        let client = try client()
        let layer = try await pullGood(to: home.file("one"), client: client)
        let cached = try #require(client.cache.lookup(layer))
        #expect(client.cache.lookup(layer) == cached, "a verified blob is found again")
        try tamperInPlace(cached)
        #expect(client.cache.lookup(layer) == nil, "a changed file must not be served as the blob")
        let out = home.file("two")
        _ = try await pullGood(to: out, client: client)
        #expect(try sha256(OCILayout(path: out).blobPath(layer)) == layer.description)
        #expect(try sha256(client.cache.path(for: layer)) == layer.description, "the cache holds the right blob again")
    }

    /// `size` bytes of a pattern (`step` apart) and their digest.
    func blob(size: Int, step: UInt8) throws -> (bytes: [UInt8], digest: Digest) {
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0) &* step }
        let hash = SHA256Digest()
        hash.update(bytes)
        return (bytes, try Digest(hash.finish()))
    }

    /// Blobs of 64 KiB or more are trusted by their stamp; smaller ones are hashed on every lookup. Either way a
    /// file changed in place (same size, modification time put back) is not served.
    @Test(arguments: [4 << 10, 256 << 10])
    func aBlobChangedInPlaceIsNotServedWhateverItsSize(size: Int) throws {
        let cache = BlobCache(root: home.file("cache-\(size)"))
        let (bytes, digest) = try blob(size: size, step: 31)
        try cache.prepareDownloads(of: [digest])
        let temporary = cache.temporaryPath(for: digest)
        try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        let cached = try cache.commit(temporary, as: digest)
        #expect(
            FileManager.default.fileExists(atPath: cache.stampPath(for: digest)) == (size >= BlobCache.stampedFrom),
            "a stamp only for blobs of 64 KiB or more")
        #expect(cache.lookup(digest, size: Int64(size)) == cached)
        try tamperInPlace(cached)
        #expect(cache.lookup(digest, size: Int64(size)) == nil, "a changed file must not be served as the blob")
        #expect(!FileManager.default.fileExists(atPath: cached), "and it is removed")
    }

    /// A cache file kept as a copy of a verified blob without a sync (as `copy --cache` keeps one, and a pull
    /// when the cache and the layout are on different file systems), `size` bytes: the blob's digest and the
    /// cached path.
    func filled(_ cache: BlobCache, size: Int = 256 << 10) throws -> (digest: Digest, path: String) {
        let (bytes, digest) = try blob(size: size, step: 7)
        try cache.prepareDownloads(of: [digest])
        let temporary = cache.temporaryPath(for: digest)
        try Data(bytes).write(to: URL(fileURLWithPath: temporary))
        return (digest, try cache.commit(temporary, as: digest, synced: false))
    }

    func stampText(_ cache: BlobCache, _ digest: Digest) throws -> String {
        try String(contentsOfFile: cache.stampPath(for: digest), encoding: .utf8)
    }

    /// A pull's blob enters the cache as a second name of the layout's file (written and synced once), stamped
    /// for good; an edit through the layout's name, its modification time put back, is still never served.
    @Test(arguments: [4 << 10, 256 << 10])
    func aBlobKeptAsALinkToTheLayoutsFileIsNotServedOnceTheLayoutsFileIsEdited(size: Int) throws {
        let cache = BlobCache(root: home.file("cache"))
        let (bytes, digest) = try blob(size: size, step: 13)
        let placed = home.file("layout-blob")
        try Data(bytes).write(to: URL(fileURLWithPath: placed))
        try cache.prepareDownloads(of: [digest])
        try cache.fill(from: placed, as: digest, expecting: try #require(FileIdentity(path: placed)))
        var layoutFile = stat()
        var cacheFile = stat()
        #expect(lstat(placed, &layoutFile) == 0 && lstat(cache.path(for: digest), &cacheFile) == 0)
        #expect(cacheFile.st_ino == layoutFile.st_ino && cacheFile.st_nlink == 2, "one file, two names")
        if size >= BlobCache.stampedFrom {
            #expect(try stampText(cache, digest) == BlobCache.stamp(cacheFile), "stamped for good: no boot in it")
        }
        #expect(cache.lookup(digest, size: Int64(size)) == cache.path(for: digest))
        try tamperInPlace(placed)
        #expect(cache.lookup(digest, size: Int64(size)) == nil, "an edit through the layout's name is caught")
        #expect(FileManager.default.fileExists(atPath: placed), "the layout's file is the user's: left alone")
    }

    /// Removing the layout leaves the cache's name of the file: still served, hashed once more (the removal
    /// moved the file's change time) and stamped again, for good.
    @Test func aBlobKeptAsALinkOutlivesTheLayoutsRemoval() throws {
        let cache = BlobCache(root: home.file("cache"))
        let (bytes, digest) = try blob(size: 256 << 10, step: 17)
        let placed = home.file("layout-blob")
        try Data(bytes).write(to: URL(fileURLWithPath: placed))
        try cache.prepareDownloads(of: [digest])
        try cache.fill(from: placed, as: digest, expecting: try #require(FileIdentity(path: placed)))
        let before = try stampText(cache, digest)
        #expect(unlink(placed) == 0)
        #expect(cache.lookup(digest, size: 256 << 10) == cache.path(for: digest))
        var st = stat()
        #expect(lstat(cache.path(for: digest), &st) == 0 && st.st_nlink == 1)
        let after = try stampText(cache, digest)
        #expect(after != before && after == BlobCache.stamp(st), "renewed: \(after)")
        #expect(try sha256(cache.path(for: digest)) == digest.description)
    }

    /// Where the layout is on another file system (here tmpfs) the cache gets a copy of the verified file, not
    /// synced, whose stamp names this boot; and only of the verified file: another one under its name is refused.
    @Test func acrossFileSystemsTheCacheCopiesOnlyTheVerifiedFile() throws {
        let shm = "/dev/shm/ossb-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: shm, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: shm) }
        let cache = BlobCache(root: home.file("cache"))
        let (bytes, digest) = try blob(size: 256 << 10, step: 3)
        let placed = "\(shm)/blob"
        try Data(bytes).write(to: URL(fileURLWithPath: placed))
        let verified = try #require(FileIdentity(path: placed))
        try cache.prepareDownloads(of: [digest])

        // Another file under the name (same bytes even): not the one verified.
        let other = "\(shm)/other"
        try Data(bytes).write(to: URL(fileURLWithPath: other))
        #expect(throws: SystemError.self) {
            try cache.fill(from: placed, as: digest, expecting: try #require(FileIdentity(path: other)))
        }
        #expect(!FileManager.default.fileExists(atPath: cache.path(for: digest)))

        try cache.fill(from: placed, as: digest, expecting: verified)
        #expect(FileIdentity(path: cache.path(for: digest)) != verified, "a copy, not a link")
        let boot = try #require(BootIdentity.current)
        #expect(try stampText(cache, digest).hasSuffix(" unsynced \(boot)\n"))
        #expect(cache.lookup(digest, size: 256 << 10) == cache.path(for: digest))
        #expect(try sha256(cache.path(for: digest)) == digest.description)
    }

    /// A blob kept in the cache without a sync of its own (the copy of a pulled layout's file) is trusted by its
    /// stamp only in the boot that wrote it. A power cut can lose bytes the kernel had not written while the
    /// file's size and times, and the stamp, survive: after the restart such a file is hashed again and removed.
    @Test func aBlobKeptWithoutASyncIsTrustedOnlyInTheBootThatWroteIt() throws {
        let cache = BlobCache(root: home.file("cache"))
        let (digest, cached) = try filled(cache)
        let boot = try #require(BootIdentity.current)
        let stamp = try stampText(cache, digest)
        #expect(stamp.hasSuffix(" unsynced \(boot)\n"), "\(stamp)")
        #expect(cache.lookup(digest, size: 256 << 10) == cached)

        // What a power cut may leave behind: the bytes lost, the metadata and the stamp on disk.
        let handle = try #require(FileHandle(forUpdatingAtPath: cached))
        try handle.write(contentsOf: Data(count: 256 << 10))
        try handle.close()
        var st = stat()
        #expect(lstat(cached, &st) == 0)
        try Data(BlobCache.stamp(st, boot: "00000000-0000-4000-8000-000000000000").utf8)
            .write(to: URL(fileURLWithPath: cache.stampPath(for: digest)))
        #expect(cache.lookup(digest, size: 256 << 10) == nil, "a stamp of another boot must not vouch for the bytes")
        #expect(!FileManager.default.fileExists(atPath: cached), "and the wrong file is removed")
    }

    /// After a restart, a blob kept without a sync whose bytes did reach the disk is hashed once, synced, and
    /// stamped for good; within the boot that wrote it, its stamp is used as it is.
    @Test func aBlobKeptWithoutASyncIsHashedOnceAfterARestartThenStampedForGood() throws {
        let cache = BlobCache(root: home.file("cache"))
        let (digest, cached) = try filled(cache)
        let unsynced = try stampText(cache, digest)
        #expect(cache.lookup(digest) == cached)
        #expect(try stampText(cache, digest) == unsynced, "in the same boot the stamp is used, not renewed")
        let otherBoot = unsynced.replacingOccurrences(
            of: try #require(BootIdentity.current), with: "00000000-0000-4000-8000-000000000000")
        try Data(otherBoot.utf8).write(to: URL(fileURLWithPath: cache.stampPath(for: digest)))
        #expect(cache.lookup(digest) == cached)
        var st = stat()
        #expect(lstat(cached, &st) == 0)
        #expect(try stampText(cache, digest) == BlobCache.stamp(st), "hashed, synced and stamped without a boot")
    }

    @Test func aCacheDirectoryOthersCanWriteIsRefused() async throws {
        let cache = home.file("cache")
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        chmod(cache, 0o777)
        do {
            _ = try await client(cache: cache).pull(try ref("good"), to: home.file("out"))
            Issue.record("a world-writable cache was used")
        } catch {
            #expect("\(error)".contains(cache), "\(error)")
            #expect("\(error)".contains("writable"), "\(error)")
        }
        chmod(cache, 0o700)
        _ = try await client(cache: cache).pull(try ref("good"), to: home.file("out"))
    }

    @Test(.enabled(if: geteuid() == 0, "needs root to give a directory to another user"))
    func aCacheDirectoryOwnedByAnotherUserIsRefused() async throws {
        let cache = home.file("theirs")
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        chmod(cache, 0o700)
        chown(cache, 65534, 65534)
        do {
            _ = try await client(cache: cache).pull(try ref("good"), to: home.file("out"))
            Issue.record("another user's cache was used")
        } catch {
            #expect("\(error)".contains("owned by"), "\(error)")
        }
    }

    /// The blobs the push sink received, as sha256 hex digests.
    func uploaded() throws -> Set<String> {
        let data = try RegistryTestBed.curl(["-s", "http://\(try #require(TestServers.hostile).registry)/__uploads"])
        let entries = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        return Set(entries.compactMap { $0["sha256"] as? String })
    }

    /// A file outside the layout that a crafted layout points at, as big as the layer it replaces.
    func secret(size: Int) throws -> (path: String, hex: String) {
        let path = home.file("id_ed25519")
        let text = String(repeating: "PRIVATE KEY ", count: size / 12 + 1).prefix(size)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return (path, String(try sha256(path).dropFirst(7)))
    }

    func pushError(_ layout: String) async throws -> String {
        do {
            _ = try await client().push(layout: layout, to: try ref("push-sink"))
            Issue.record("the push succeeded")
            return ""
        } catch {
            return "\(error)"
        }
    }

    /// A layout of the honest image, the path of its layer, and a secret file of the layer's size.
    func layoutAndSecret(_ name: String) async throws -> (
        out: String, layer: Digest, path: String, size: Int, secret: (path: String, hex: String)
    ) {
        let out = home.file(name)
        let layer = try await pullGood(to: out)
        let path = OCILayout(path: out).blobPath(layer)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        return (out, layer, path, size, try secret(size: size))
    }

    @Test func pushRefusesABlobThatIsASymlinkOutOfTheLayout() async throws {
        let crafted = try await layoutAndSecret("symlinked")
        unlink(crafted.path)
        symlink(crafted.secret.path, crafted.path)
        let message = try await pushError(crafted.out)
        #expect(message.contains("symbolic link"), "\(message)")
        #expect(!(try uploaded()).contains(crafted.secret.hex), "the file the symlink points at was uploaded")
    }

    @Test func pushRefusesABlobsDirectoryThatIsASymlink() async throws {
        let crafted = try await layoutAndSecret("linked-dir")
        let elsewhere = home.file("elsewhere")
        try FileManager.default.moveItem(atPath: "\(crafted.out)/blobs/sha256", toPath: elsewhere)
        symlink(elsewhere, "\(crafted.out)/blobs/sha256")
        let message = try await pushError(crafted.out)
        #expect(message.contains("blobs/sha256 is a symbolic link"), "\(message)")
    }

    @Test func pushRefusesABlobWhoseContentOrSizeIsWrongBeforeSendingIt() async throws {
        let (out, _, path, size, secret) = try await layoutAndSecret("wrong-content")
        unlink(path)
        try FileManager.default.copyItem(atPath: secret.path, toPath: path)
        let message = try await pushError(out)
        #expect(message.contains("does not match"), "\(message)")
        #expect(!(try uploaded()).contains(secret.hex), "mismatching bytes left the machine")

        unlink(path)
        try Data(repeating: 0x42, count: size + 10).write(to: URL(fileURLWithPath: path))
        let sizeMessage = try await pushError(out)
        #expect(sizeMessage.contains("bytes"), "\(sizeMessage)")
    }
}

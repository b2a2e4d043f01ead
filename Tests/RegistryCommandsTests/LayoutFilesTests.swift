import Foundation
import OSSBTestSupport
import Testing

/// A layout's files belong to the user who pulled: their own inodes with the umask's mode, never hard links into
/// the private cache, so editing one cannot damage the cache; and a registry's digest rejection of a damaged blob is
/// reported as one.
@Suite(.enabled(if: TestServers.basic != nil, "needs scripts/test.sh's registry"))
struct LayoutFilesTests {
    let harness = CommandHarness()

    func unique(_ name: String) -> String { "files/\(name)-\(UUID().uuidString.prefix(8).lowercased())" }

    @Test func layoutBlobsAreFilesOfTheirOwnAndEditingOneLeavesTheCacheIntact() async throws {
        let registry = try await harness.loginToBasicRegistry()
        let repo = unique("own")
        let seeded = try SeededImage.push(repo, platforms: "linux/amd64")
        let layout = harness.home.file("layout")
        let pulled = await harness.run(["pull", "\(registry)/\(repo):v1", "-o", layout])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        let mask = umask(0o022)
        umask(mask)
        let layer = try #require(seeded.layers["linux/amd64"]?.first)
        let blob = "\(layout)/blobs/sha256/\(layer.dropFirst(7))"
        var info = stat()
        #expect(stat(blob, &info) == 0)
        #expect(info.st_nlink == 1, "a layout blob is no hard link into the cache")
        #expect(
            info.st_mode & 0o777 == 0o644 & ~mask,
            "mode \(String(info.st_mode & 0o777, radix: 8)), umask \(String(mask, radix: 8))")
        #expect(stat("\(layout)/index.json", &info) == 0 && info.st_mode & 0o777 == 0o644 & ~mask)

        // Damage the layout's copy (same size, one byte changed).
        var bytes = try Data(contentsOf: URL(fileURLWithPath: blob))
        bytes[bytes.count / 2] ^= 0xff
        try bytes.write(to: URL(fileURLWithPath: blob))
        let again = await harness.run(["pull", "\(registry)/\(repo):v1", "-o", harness.home.file("second")])
        #expect(again.status == 0, "\(again.stderr)")
        let fresh = try Data(
            contentsOf: URL(fileURLWithPath: harness.home.file("second/blobs/sha256/\(layer.dropFirst(7))")))
        #expect(fresh != bytes, "the cache still holds the registry's bytes")

        // Pushing the damaged layout to a repository that lacks the blob: refused before any byte of it is sent,
        // naming the blob.
        try? FileManager.default.removeItem(atPath: harness.home.file(".cache/ossb/origins"))
        let pushed = await harness.run(["push", layout, "\(registry)/\(unique("damaged")):v1"])
        #expect(pushed.status == 1)
        #expect(pushed.stderr.contains(layer), "\(pushed.stderr)")
        #expect(pushed.stderr.contains("does not match its digest"), "\(pushed.stderr)")
        #expect(!pushed.stderr.contains("upload session"), "\(pushed.stderr)")
    }
}

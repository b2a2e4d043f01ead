import Foundation
import OSSBTestSupport
import Testing

/// A layout's files belong to the user who pulled: the umask's mode, never the cache's private files; the cache
/// keeps each pulled blob as a second name of the layout's file, and editing a layout's blob never makes the cache
/// serve it (a small blob is hashed at every use, a large one's stamp names the change time); and a damaged blob
/// is refused by push before a byte of it is sent.
@Suite(.enabled(if: TestServers.basic != nil, "needs scripts/test.sh's registry"))
struct LayoutFilesTests {
    let harness = CommandHarness()

    func unique(_ name: String) -> String { "files/\(name)-\(UUID().uuidString.prefix(8).lowercased())" }

    @Test func layoutBlobsAreTheUsersFilesAndEditingOneNeverMakesTheCacheServeIt() async throws {
        let registry = try await harness.loginToBasicRegistry()
        let repo = unique("own")
        // A first layer of 1 MiB, a second of a few bytes.
        let seeded = try SeededImage.push(repo, platforms: "linux/amd64", extra: ["--layer-mib", "1"])
        let layout = harness.home.file("layout")
        let pulled = await harness.run(["pull", "\(registry)/\(repo):v1", "-o", layout])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        let mask = umask(0o022)
        umask(mask)
        let layers = try #require(seeded.layers["linux/amd64"])
        try #require(layers.count == 2)
        let blobs = layers.map { "\(layout)/blobs/sha256/\($0.dropFirst(7))" }
        for blob in blobs {
            var info = stat()
            #expect(stat(blob, &info) == 0)
            #expect(info.st_nlink == 2, "\(blob): \(info.st_nlink) links, expected the layout's and the cache's")
            #expect(
                info.st_mode & 0o777 == 0o644 & ~mask,
                "mode \(String(info.st_mode & 0o777, radix: 8)), umask \(String(mask, radix: 8))")
        }
        var info = stat()
        #expect(stat("\(layout)/index.json", &info) == 0 && info.st_mode & 0o777 == 0o644 & ~mask)

        // Damage the layout's files in place (same size, one byte changed): the change reaches the cache's names.
        var damaged: [Data] = []
        for blob in blobs {
            var bytes = try Data(contentsOf: URL(fileURLWithPath: blob))
            bytes[bytes.count / 2] ^= 0xff
            let handle = try #require(FileHandle(forUpdatingAtPath: blob))
            try handle.seek(toOffset: UInt64(bytes.count / 2))
            try handle.write(contentsOf: bytes[(bytes.count / 2)...].prefix(1))
            try handle.close()
            damaged.append(bytes)
        }
        let again = await harness.run(["pull", "\(registry)/\(repo):v1", "-o", harness.home.file("second")])
        #expect(again.status == 0, "\(again.stderr)")
        for (layer, bytes) in zip(layers, damaged) {
            let fresh = try Data(
                contentsOf: URL(fileURLWithPath: harness.home.file("second/blobs/sha256/\(layer.dropFirst(7))")))
            #expect(fresh != bytes, "the second pull got the registry's bytes for \(layer)")
        }

        // Pushing the damaged layout to a repository that lacks the blob: refused before any byte of it is sent,
        // naming the blob.
        try? FileManager.default.removeItem(atPath: harness.home.file(".cache/ossb/origins"))
        let pushed = await harness.run(["push", layout, "\(registry)/\(unique("damaged")):v1"])
        #expect(pushed.status == 1)
        #expect(layers.contains { pushed.stderr.contains($0) }, "\(pushed.stderr)")
        #expect(pushed.stderr.contains("does not match its digest"), "\(pushed.stderr)")
        #expect(!pushed.stderr.contains("upload session"), "\(pushed.stderr)")
    }
}

import Foundation
import OSSBTestSupport
import Testing

/// Foreign (non-distributable) layers name URLs instead of living in the registry: pull, copy and push leave them
/// where they are, keep their descriptors, and say so once.
@Suite(.enabled(if: TestServers.basic != nil, "needs scripts/test.sh's registry"))
struct ForeignLayerTests {
    let harness = CommandHarness()

    func unique(_ name: String) -> String { "foreign/\(name)-\(UUID().uuidString.prefix(8).lowercased())" }

    func foreignNotes(_ stderr: String) -> Int {
        stderr.components(separatedBy: "not transferring 1 foreign layer").count - 1
    }

    @Test(arguments: ["docker", "oci"])
    func pullCopyAndPushSkipForeignLayersAndKeepTheirDescriptors(format: String) async throws {
        let registry = try await harness.loginToBasicRegistry()
        let repo = unique(format)
        let seeded = try SeededImage.push(repo, format: format, platforms: "linux/amd64", extra: ["--foreign-layer"])
        let foreign = try #require(seeded.layers["linux/amd64"]?.first)

        let layout = harness.home.file("layout")
        let pulled = await harness.run(["pull", "\(registry)/\(repo):v1", "-o", layout])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(foreignNotes(pulled.stderr) == 1, "\(pulled.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(layout)/blobs/sha256/\(foreign.dropFirst(7))"))
        let entry = try #require(try LayoutReaders.index(layout).first)
        let digest = try #require(entry["digest"] as? String)
        let manifest =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: "\(layout)/blobs/sha256/\(digest.dropFirst(7))")))
            as? [String: Any]
        let first = try #require((manifest?["layers"] as? [[String: Any]])?.first)
        #expect(first["digest"] as? String == foreign)
        #expect(first["urls"] as? [String] == ["https://foreign.invalid/layer.tar.gz"])
        #expect(first["mediaType"] as? String == "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip")

        let copied = await harness.run(["copy", "\(registry)/\(repo):v1", "\(registry)/\(unique("copied")):v1"])
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(foreignNotes(copied.stderr) == 1, "\(copied.stderr)")
        #expect(copied.stdout.contains(seeded.digest), "copy keeps the digest: \(copied.stdout)")

        let pushed = await harness.run(["push", layout, "\(registry)/\(unique("pushed")):v1"])
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(foreignNotes(pushed.stderr) == 1, "\(pushed.stderr)")
        #expect(pushed.stdout.contains(digest))
    }
}

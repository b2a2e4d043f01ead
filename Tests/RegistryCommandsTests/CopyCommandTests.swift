import Foundation
import OSSBTestSupport
import Testing

/// `ossb-registry copy` in-process between two real registries: a source serving a layer whose bytes do not
/// match its digest ends the copy with status 1 and one line naming the blob, and `--cache` keeps the blobs.
@Suite(
    .enabled(if: TestServers.hostile != nil, "needs scripts/test.sh's hostile registry"),
    .enabled(if: TestServers.basic != nil, "needs scripts/test.sh's Basic-auth registry"))
struct CopyCommandTests {
    let harness = CommandHarness()

    @Test func aSourceServingWrongBytesFailsWithOneClearLine() async throws {
        let registry = try await harness.loginToBasicRegistry()
        let hostile = try #require(TestServers.hostile)
        let target = "\(registry)/copy-cli/wrong-\(UUID().uuidString.prefix(8).lowercased()):v1"
        let result = await harness.run(["copy", "\(hostile.registry)/wrong-big:latest", target])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(result.stderr.filter { $0 == "\n" }.count == 1, "one line: \(result.stderr.debugDescription)")
        #expect(result.stderr.contains("failed verification"), "\(result.stderr)")
        #expect(result.stderr.contains("does not hold the blob"), "\(result.stderr)")
        let inspect = await harness.run(["inspect", target])
        #expect(inspect.status == 1, "the tag must not exist: \(inspect.stdout)")
    }

    @Test func cacheKeepsTheCopiedBlobs() async throws {
        let registry = try await harness.loginToBasicRegistry()
        let hostile = try #require(TestServers.hostile)
        let cache = harness.home.file("cache")
        let target = "\(registry)/copy-cli/good-\(UUID().uuidString.prefix(8).lowercased()):v1"
        let result = await harness.run(
            ["copy", "--cache", "\(hostile.registry)/good:latest", target], environment: ["OSSB_CACHE_DIR": cache])
        #expect(result.status == 0, "\(result.stderr)")
        let blobs = try FileManager.default.contentsOfDirectory(atPath: "\(cache)/blobs/sha256")
        #expect(blobs.count == 2, "the config and the layer: \(blobs)")
    }
}

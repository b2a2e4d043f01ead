import Foundation
import OSSBTestSupport
import Testing

/// `cache du` and `cache prune` refuse a cache directory pull would refuse. prune unlinks files below the
/// directory, so in one that others may write, a symbolic link planted as `blobs` would make it delete files
/// elsewhere (as root: anywhere); du would report a cache no pull uses.
@Suite struct CacheCommandSafetyTests {
    let harness = CommandHarness()

    @Test func pruneInADirectoryOthersCanWriteDeletesNothingElsewhere() async throws {
        let cache = harness.home.file("shared-cache")
        let victim = harness.home.file("victim")
        try FileManager.default.createDirectory(atPath: victim + "/sha256", withIntermediateDirectories: true)
        try Data("precious".utf8).write(to: URL(fileURLWithPath: victim + "/sha256/keep"))
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        chmod(cache, 0o777)
        try FileManager.default.createSymbolicLink(atPath: cache + "/blobs", withDestinationPath: victim)
        for action in ["prune", "du"] {
            let result = await harness.run(["cache", action], environment: ["OSSB_CACHE_DIR": cache])
            #expect(result.status == 1, "\(action): \(result)")
            #expect(
                result.stderr
                    == "ossb-registry cache: the blob cache \(cache) is writable by group or others (mode 777); run chmod go-w \(cache), or use a directory of your own with OSSB_CACHE_DIR\n"
            )
        }
        #expect(FileManager.default.fileExists(atPath: victim + "/sha256/keep"), "prune deleted through the link")
    }

    @Test func aFileWhereTheCacheDirectoryShouldBeIsOneLine() async throws {
        let cache = harness.home.file("not-a-directory")
        try Data("x".utf8).write(to: URL(fileURLWithPath: cache))
        let result = await harness.run(["cache", "du"], environment: ["OSSB_CACHE_DIR": cache])
        #expect(result.status == 1, "\(result)")
        #expect(
            result.stderr
                == "ossb-registry cache: the blob cache \(cache) is not a directory; move it away, or point OSSB_CACHE_DIR at a directory\n"
        )
    }
}

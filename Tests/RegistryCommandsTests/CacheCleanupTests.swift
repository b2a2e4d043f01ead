import Foundation
import OSSBTestSupport
import Testing

/// An interrupted or failed pull leaves nothing behind: SIGINT and SIGTERM remove the partial download (beside
/// its name in the layout) and the layout directory the pull created; partial downloads of dead processes are removed by the next download of
/// the same blob and by `cache prune`; `cache du` shows what the cache holds.
@Suite(
    .enabled(
        if: TestServers.basic != nil && TestServers.environment["OSSB_TEST_FAULT_PROXY"] != nil,
        "needs scripts/test.sh's registry and fault proxy"))
struct CacheCleanupTests {
    let harness = CommandHarness()
    var cache: String { harness.home.file("cache") }
    var environment: [String: String] { ["OSSB_CACHE_DIR": cache] }

    func unique(_ name: String) -> String { "cleanup/\(name)-\(UUID().uuidString.prefix(8).lowercased())" }

    func partials() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(cache)/tmp")) ?? []).filter {
            $0.hasSuffix(".partial")
        }
    }

    /// The pid of a process that has exited (so no process has it, for a while).
    func deadPID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalMidDownloadRemovesThePartialFileAndTheUnfinishedLayout(signal: Int32) async throws {
        let registry = try #require(TestServers.basic)
        let proxy = try #require(TestServers.environment["OSSB_TEST_FAULT_PROXY"])
        let login = await harness.run(
            ["login", proxy, "-u", registry.user, "--password-stdin"], stdin: registry.password)
        #expect(login.status == 0, "\(login.stderr)")
        let repo = unique("signal")
        let seeded = try SeededImage.push(repo, platforms: "linux/amd64", extra: ["--layer-mib", "1"])
        let layer = try #require(seeded.layers["linux/amd64"]?.first)
        let rule = #"[{"match": "/\#(repo)/blobs/\#(layer)", "method": "GET", "count": 1, "stall_after": 65536}]"#
        let set = try TestProcess.run(
            "/usr/bin/curl", ["-sf", "-X", "PUT", "--data", rule, "http://\(proxy)/__faults"], environment: [:])
        #expect(set.status == 0, "\(set)")

        let out = harness.home.file("layout")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(TestProcess.productsDirectory)/ossb-registry")
        process.arguments = ["pull", "\(proxy)/\(repo):v1", "-o", out, "--quiet"]
        process.environment = [
            "HOME": harness.home.path, "OSSB_CREDENTIALS_FILE": harness.credentialsFile, "OSSB_CACHE_DIR": cache,
            "OSSB_CERTS_D": harness.home.file("certs.d"), "PATH": "/usr/bin:/bin",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // A pull into a layout downloads beside the blob's name there.
        func downloads() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(out)/blobs/sha256")) ?? []).filter {
                $0.hasSuffix(".tmp")
            }
        }
        var waited = 0
        while downloads().isEmpty && waited < 400 {
            try await Task.sleep(for: .milliseconds(50))
            waited += 1
        }
        #expect(!downloads().isEmpty, "the download started and stalled")
        #expect(FileManager.default.fileExists(atPath: out))
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(
            process.terminationReason == .exit && process.terminationStatus == 128 + signal,
            "exit status 128 + the signal")
        #expect(partials().isEmpty, "\(partials())")
        #expect(!FileManager.default.fileExists(atPath: out), "the layout the pull created is gone")
    }

    @Test func stalePartialsGoAtTheNextDownloadAndWithCachePrune() async throws {
        let registry = try await harness.loginToBasicRegistry()
        let repo = unique("stale")
        let seeded = try SeededImage.push(repo, platforms: "linux/amd64")
        let layer = try #require(seeded.layers["linux/amd64"]?.first).dropFirst(7)
        let dead = try deadPID()
        try FileManager.default.createDirectory(atPath: "\(cache)/tmp", withIntermediateDirectories: true)
        let same = "\(layer).\(dead).1.partial"
        let other = "\(String(repeating: "e", count: 64)).\(dead).2.partial"
        let live = "\(String(repeating: "d", count: 64)).\(getpid()).3.partial"
        for name in [same, other, live] {
            try Data(count: 1000).write(to: URL(fileURLWithPath: "\(cache)/tmp/\(name)"))
        }

        let du = await harness.run(["cache", "du"], environment: environment)
        #expect(du.status == 0, "\(du.stderr)")
        #expect(du.stdout.contains("Blob cache:         \(cache)"))
        #expect(
            du.stdout.contains("Partial downloads:  3, 2.9 KiB (2 left by processes that no longer run)"),
            "\(du.stdout)")

        let pulled = await harness.run(
            ["pull", "\(registry)/\(repo):v1", "-o", harness.home.file("layout")], environment: environment)
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(partials().sorted() == [live, other].sorted(), "the same blob's stale partial was removed")

        let partialsOnly = await harness.run(["cache", "prune", "--partials"], environment: environment)
        #expect(partialsOnly.stdout.hasPrefix("Removed 0 blobs and 1 partial downloads"), "\(partialsOnly.stdout)")
        #expect(partials() == [live], "a running download's partial is kept")
        let after = await harness.run(["cache", "du"], environment: environment)
        // The pulled blobs are the layout's files too.
        #expect(after.stdout.contains("Blobs:              3, "), "\(after.stdout)")
        #expect(after.stdout.contains(", shared with layouts)"), "\(after.stdout)")
        // The pull recorded where its blobs came from: one file for the registry, counted and pruned.
        #expect(FileManager.default.fileExists(atPath: "\(cache)/origins/registries/\(registry)"))
        #expect(after.stdout.contains("Records:            1, "), "\(after.stdout)")
        let pruned = await harness.run(["cache", "prune"], environment: environment)
        #expect(pruned.stdout.hasPrefix("Removed 3 blobs and 0 partial downloads"), "\(pruned.stdout)")
        #expect(pruned.stdout.contains("(3 of the blobs, "), "\(pruned.stdout)")
        #expect(pruned.stdout.contains(", are still files of layouts)"), "\(pruned.stdout)")
        let empty = await harness.run(["cache", "du"], environment: environment).stdout
        #expect(
            empty.contains("Blobs:              0, 0 B") && empty.contains("Records:            0, 0 B"), "\(empty)")
        #expect(!FileManager.default.fileExists(atPath: "\(cache)/origins"))
        // The layout is untouched by pruning the cache.
        #expect(FileManager.default.fileExists(atPath: harness.home.file("layout/blobs/sha256/\(layer)")))
    }

    @Test func aFailedPullLeavesNoDirectory() async throws {
        let registry = try await harness.loginToBasicRegistry()
        let out = harness.home.file("never")
        let failed = await harness.run(
            ["pull", "\(registry)/\(unique("missing")):v1", "-o", out], environment: environment)
        #expect(failed.status == 1)
        #expect(!FileManager.default.fileExists(atPath: out), "a pull that fails removes the directory it created")
    }

    @Test(arguments: [
        (["cache"], "name what to do: du or prune"), (["cache", "du", "--partials"], "--partials goes with prune"),
        (["cache", "sweep"], "expected du or prune"),
    ])
    func cacheUsageErrors(arguments: [String], fragment: String) async {
        let result = await harness.run(arguments, environment: environment)
        #expect(result.status == 2)
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
        #expect(await harness.run(["cache", "--help"]).stdout.hasPrefix("Usage: ossb-registry cache du"))
    }
}

import AuthCore
import Foundation
import OSSBTestSupport
import Testing

/// A pull's blobs become visible under their digests' names in the layout only after they were all verified and
/// made durable in one pass: watched from the outside through a preloaded library that logs its C library calls
/// (every rename into the layout's `blobs/` after a sync that covers the renamed file, and no sync per blob), and
/// with SIGKILL mid-pull (nothing under a digest's name that is not the verified blob; the next pull cleans up and
/// completes). Downloads go straight into the layout; the cache then keeps them as second names of the layout's
/// files, each after its layout file is in place; `--no-cache` writes nothing under the cache directory.
@Suite(
    .enabled(
        if: TestServers.basic != nil && TestServers.faultProxy != nil
            && FileManager.default.fileExists(atPath: "/usr/bin/cc"),
        "needs scripts/test.sh's registry and fault proxy, and a C compiler"))
struct PullDurabilityTests {
    static let binary = TestProcess.productsDirectory + "/ossb-registry"
    let home = TemporaryDirectory()
    var cache: String { home.file("cache") }

    func unique(_ name: String) -> String { "durability/\(name)-\(UUID().uuidString.prefix(8).lowercased())" }

    /// The environment of a pull from `host` with the Basic registry's credentials.
    func environment(for host: String) throws -> [String: String] {
        let registry = try #require(TestServers.basic)
        let prefix = "OSSB_" + EnvironmentStore.prefix(forHost: host)
        return [
            "HOME": home.path, "PATH": "/usr/bin:/bin", "OSSB_CACHE_DIR": cache,
            "OSSB_CREDENTIALS_FILE": home.file("credentials.json"), "OSSB_CERTS_D": home.file("certs.d"),
            "\(prefix)_USERNAME": registry.user, "\(prefix)_PASSWORD": registry.password,
        ]
    }

    func names(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// The files of `directory` named by a bare hex digest whose content does not hash to that name.
    func misnamedBlobs(in directory: String) throws -> [String] {
        let blobs = names(in: directory).filter { $0.count == 64 && !$0.contains(".") }
        if blobs.isEmpty { return [] }
        let sums = try TestProcess.run("/usr/bin/sha256sum", blobs.map { "\(directory)/\($0)" }, environment: [:])
        return sums.stdout.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2 else { return String(line) }
            return parts[1].hasSuffix("/\(parts[0])") ? nil : String(parts[1])
        }
    }

    /// What a `--no-cache` pull must leave under the cache directory: nothing at all (the directory may be
    /// missing).
    func expectCacheUntouched() {
        #expect(names(in: cache).isEmpty, "\(names(in: cache))")
    }

    @Test(arguments: [false, true])
    func everyRenameUnderADigestFollowsASyncCoveringItAndNoBlobHasASyncOfItsOwn(noCache: Bool) throws {
        let registry = try #require(TestServers.basic)
        let repo = unique("strace")
        let seeded = try SeededImage.push(repo, platforms: "linux/amd64", extra: ["--layers", "16"])
        #expect(seeded.layers["linux/amd64"]?.count == 16)
        let layout = home.file("layout")
        let log = home.file("calls.log")
        let result = try TestProcess.run(
            Self.binary,
            ["pull", "--quiet", "\(registry.address)/\(repo):v1", "-o", layout] + (noCache ? ["--no-cache"] : []),
            environment: try environment(for: registry.address).merging(CallLog.environment(loggingTo: log)) { $1 })
        #expect(result.status == 0, "\(result)")
        let trace = try CallLog(contentsOf: log)
        let renameCount = trace.calls.filter { $0.name.hasPrefix("rename") }.count
        // The log saw the program at all: its own opens of the layout's files, whatever else happens.
        #expect(trace.calls.count > 50, "\(trace.calls.count) calls logged, \(renameCount) renames")

        // 16 layers and the config, each downloaded beside its name in the layout and renamed there, then (unless
        // --no-cache) linked into the cache and renamed there.
        let renames = trace.calls.filter { $0.name.hasPrefix("rename") && $0.result == 0 }
        let blobDirectories = [cache, layout].map { CallLog.resolved("\($0)/blobs/sha256/") }
        let (cacheBlobs, layoutBlobs) = (blobDirectories[0], blobDirectories[1])
        let blobRenames = renames.filter { $0.newPath?.hasPrefix(layoutBlobs) == true }
        #expect(blobRenames.count >= 17, "\(blobRenames.count) renames into blobs/ of \(renames.map(\.line))")
        #expect(blobRenames.allSatisfy { $0.path?.hasPrefix(layoutBlobs) == true }, "\(blobRenames.map(\.line))")
        let cacheRenames = renames.filter { $0.newPath?.hasPrefix(cacheBlobs) == true }
        #expect(cacheRenames.count == (noCache ? 0 : 17), "\(cacheRenames.map(\.line))")
        for rename in cacheRenames {
            let name = (rename.newPath ?? "").split(separator: "/").last.map(String.init) ?? ""
            let placed = blobRenames.first { $0.newPath == layoutBlobs + name }
            #expect(
                placed.map { $0.end < rename.start } == true,
                "\(name) entered the cache before it was in place in the layout")
        }
        if noCache {
            let cachePrefix = CallLog.resolved(cache) + "/"
            let touched = trace.calls.filter { call in
                [call.path, call.newPath].contains { $0?.hasPrefix(cachePrefix) == true }
            }
            #expect(touched.allSatisfy { !$0.creates && !$0.name.hasPrefix("rename") }, "\(touched.map(\.line))")
            expectCacheUntouched()
        }
        for rename in blobRenames {
            let source = rename.path ?? ""
            let written = trace.calls.last { $0.name == "close" && $0.fdPath == source && $0.end < rename.start }
            #expect(written != nil, "\(source) was written and closed before its rename")
            // A syncfs after the writer closed the file, or an fsync/fdatasync of that file (by its writer, after
            // its writes, or reopened after the close).
            let covered = trace.calls.contains { sync in
                sync.end < rename.start && sync.result == 0
                    && (sync.name == "syncfs"
                        ? sync.start > (written?.end ?? Int.max)
                        : ["fsync", "fdatasync"].contains(sync.name) && sync.fdPath == source)
            }
            #expect(covered, "a sync covering \(source) completed before it was renamed to \(rename.newPath ?? "")")
        }
        // One durability pass, not one per blob: no fsync of a download or of a layout copy, and only the few of
        // the layout's small files written whole (oci-layout, the manifest, index.json and their directory).
        let fileSyncs = trace.calls.filter { ["fsync", "fdatasync"].contains($0.name) }
        let perBlob = fileSyncs.filter {
            ($0.fdPath ?? "").hasSuffix(".partial") || ($0.fdPath ?? "").hasSuffix(".tmp")
        }
        #expect(perBlob.isEmpty, "\(perBlob.map(\.line))")
        #expect(fileSyncs.count <= 8, "\(fileSyncs.map(\.line))")
        let syncfsCalls = trace.calls.filter { $0.name == "syncfs" }
        #expect(syncfsCalls.count == 1, "\(syncfsCalls.map(\.line))")
        let layoutPath = CallLog.resolved(layout) + "/"
        #expect(syncfsCalls.allSatisfy { (($0.fdPath ?? "") + "/").hasPrefix(layoutPath) })
        #expect(try misnamedBlobs(in: "\(cache)/blobs/sha256").isEmpty)
        #expect(try misnamedBlobs(in: "\(layout)/blobs/sha256").isEmpty)
    }

    @Test(arguments: [false, true])
    func killedMidPullLeavesNothingUnderADigestAndTheNextPullCompletes(noCache: Bool) throws {
        let proxy = try #require(TestServers.faultProxy)
        let repo = unique("sigkill")
        let seeded = try SeededImage.push(
            repo, platforms: "linux/amd64", extra: ["--layer-mib", "4", "--layers", "16"])
        let big = try #require(seeded.layers["linux/amd64"]?.first)
        // The 4 MiB layer stalls after 1 MiB, once; the 15 tiny layers and the config arrive at once.
        let rule =
            #"[{"match": "/\#(repo)/blobs/\#(big)", "method": "GET", "count": 1, "stall_after": 1048576, "stall_seconds": 30}]"#
        let set = try TestProcess.run(
            "/usr/bin/curl", ["-sf", "-X", "PUT", "--data", rule, "http://\(proxy)/__faults"], environment: [:])
        #expect(set.status == 0, "\(set)")

        let layout = home.file("layout")
        let environment = try environment(for: proxy)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        let flags = noCache ? ["--no-cache"] : []
        process.arguments = ["pull", "--quiet", "\(proxy)/\(repo):v1", "-o", layout] + flags
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Until the 16 small blobs are verified and the large one is stalled: all 17 downloads are temporary files
        // beside their names in the layout.
        let staging = "\(layout)/blobs/sha256"
        let suffix = ".tmp"
        let deadline = Date().addingTimeInterval(20)
        while names(in: staging).filter({ $0.hasSuffix(suffix) }).count < 17 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(names(in: staging).filter { $0.hasSuffix(suffix) }.count == 17, "\(names(in: staging))")
        // Nothing is under a digest's name yet: the durability pass waits for every blob of the pull.
        #expect(names(in: "\(cache)/blobs/sha256").isEmpty, "\(names(in: "\(cache)/blobs/sha256"))")
        #expect(
            names(in: "\(layout)/blobs/sha256").allSatisfy { $0.hasSuffix(".tmp") },
            "\(names(in: "\(layout)/blobs/sha256"))")
        if noCache { expectCacheUntouched() }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        #expect(!FileManager.default.fileExists(atPath: "\(layout)/index.json"))
        #expect(try misnamedBlobs(in: "\(cache)/blobs/sha256").isEmpty)
        #expect(names(in: "\(layout)/blobs/sha256").allSatisfy { $0.hasSuffix(".tmp") })

        // The next pull (the stall is used up) removes what the killed one left and completes.
        let again = try TestProcess.run(
            Self.binary, ["pull", "--quiet", "\(proxy)/\(repo):v1", "-o", layout] + flags, environment: environment)
        #expect(again.status == 0, "\(again)")
        #expect(names(in: "\(cache)/tmp").isEmpty, "\(names(in: "\(cache)/tmp"))")
        if noCache {
            expectCacheUntouched()
            #expect(names(in: "\(layout)/blobs/sha256").count == 18)  // 17 blobs and the manifest
        } else {
            #expect(names(in: "\(cache)/blobs/sha256").count == 17)
            // The cache's blobs are second names of the layout's files, stamped without a boot: the pass synced them.
            let hex = String(big.dropFirst(7))
            var inCache = stat()
            var inLayout = stat()
            #expect(lstat("\(cache)/blobs/sha256/\(hex)", &inCache) == 0)
            #expect(lstat("\(layout)/blobs/sha256/\(hex)", &inLayout) == 0)
            #expect(inCache.st_ino == inLayout.st_ino)
            let stamp = try String(contentsOfFile: "\(cache)/verified/sha256/\(hex)", encoding: .utf8)
            #expect(!stamp.contains("unsynced"), "\(stamp)")
        }
        #expect(
            !names(in: "\(layout)/blobs/sha256").contains { $0.contains(".") }, "\(names(in: "\(layout)/blobs/sha256"))"
        )
        #expect(try misnamedBlobs(in: "\(cache)/blobs/sha256").isEmpty)
        #expect(try misnamedBlobs(in: "\(layout)/blobs/sha256").isEmpty)
    }
}

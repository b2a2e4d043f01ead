import AuthCore
import Foundation
import RegistryVocabulary
import Synchronization
import Testing

@testable import RegistryClient

/// Pulls and pushes meeting trouble at the fault proxy: a `Retry-After` date, a mirror failing on a blob, a
/// cancelled pull and push.
@Suite(.enabled(if: RegistryTestBed.available, "needs scripts/test.sh's registry and fault proxy"))
struct FaultIntegrationTests {
    let home = TemporaryDirectory()

    func ref(_ repo: String, via host: String? = nil) throws -> ImageReference {
        try ImageReference.parse("\(host ?? RegistryTestBed.basic!.address)/\(repo):v1")
    }

    /// An HTTP date (IMF-fixdate) `seconds` from now.
    static func httpDate(in seconds: Double) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: Date().addingTimeInterval(seconds))
    }

    @Test func retryAfterAsAnHTTPDateIsHonoured() async throws {
        let repo = RegistryTestBed.unique("fault/date")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1", layers: 1)
        let proxy = try #require(RegistryTestBed.proxy)
        // Three seconds ahead, so at least two whole seconds remain whatever the clock's fraction.
        try RegistryTestBed.faults(
            """
            [{"match": "/\(repo)/manifests/v1", "count": 1, "status": 503, "retry_after": "\(Self.httpDate(in: 3))"}]
            """)
        let client = try RegistryTestBed.client(home: home)
        let started = Date()
        let result = try await client.pull(try ref(repo, via: proxy), to: home.file("date"))
        let waited = Date().timeIntervalSince(started)
        #expect(result.descriptor.digest == seeded.digest)
        #expect(waited >= 2, "waited \(waited) s for a date 3 s ahead (the test policy's own delay is 0.05 s)")
    }

    @Test func aMirrorFailingOnABlobFallsBackToTheRegistryForIt() async throws {
        let repo = RegistryTestBed.unique("fault/mirror-blob")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1", layers: 1)
        let registry = try #require(RegistryTestBed.basic)
        let proxy = try #require(RegistryTestBed.proxy)
        let layer = try #require(seeded.layers["linux/amd64"]?.first)
        // The mirror (the proxy) serves the manifest but fails on the layer, every time.
        try RegistryTestBed.faults(#"[{"match": "/\#(repo)/blobs/\#(layer)", "count": 100, "status": 500}]"#)
        let config = #"{"mirrors": {"\#(registry.address)": ["\#(proxy)"]}}"#
        let client = try RegistryTestBed.client(home: home, config: config)
        let warnings = Mutex<[String]>([])
        var options = client.options
        options.config = client.config
        options.warn = { line in warnings.withLock { $0.append(line) } }
        let watched = try RegistryClient(options: options)
        let result = try await watched.pull(try ref(repo), to: home.file("mirror-blob"))
        #expect(result.descriptor.digest == seeded.digest)
        #expect(result.source == proxy, "the manifest came from the mirror")
        #expect(watched.cache.lookup(try Digest(layer)) != nil, "the layer came from the registry, verified")
        #expect(try RegistryTestBed.proxyLog().contains { $0.1.hasSuffix(layer) && $0.2 == 500 })
        #expect(warnings.withLock { $0 }.contains { $0.contains("mirror \(proxy) could not serve blob \(layer)") })
    }

    @Test func cancellingAPullStopsItPromptlyAndLeavesNoPartialFile() async throws {
        let repo = RegistryTestBed.unique("fault/cancel-pull")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1", layerMiB: 4, layers: 1)
        let proxy = try #require(RegistryTestBed.proxy)
        let layer = try #require(seeded.layers["linux/amd64"]?.first)
        try RegistryTestBed.faults(
            #"[{"match": "/\#(repo)/blobs/\#(layer)", "count": 10, "stall_after": 1048576, "stall_seconds": 30}]"#)
        let client = try RegistryTestBed.client(home: home)
        let output = home.file("cancelled")
        let pull = Task { try await client.pull(try ref(repo, via: proxy), to: output) }
        // A pull into a layout downloads beside the blob's name there.
        try await waitForPartialDownload(in: output + "/blobs/sha256", suffix: ".tmp")
        let cancelled = Date()
        pull.cancel()
        await #expect(throws: (any Error).self) { _ = try await pull.value }
        #expect(Date().timeIntervalSince(cancelled) < 5, "stopped long before the 30 s stall ends")
        #expect(!FileManager.default.fileExists(atPath: "\(output)/index.json"))
        #expect(!FileManager.default.fileExists(atPath: output), "the layout the pull created is removed")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: client.cache.root + "/tmp")) ?? []).isEmpty)
        #expect(client.cache.lookup(try Digest(layer)) == nil)
    }

    @Test func cancellingAPushStopsItPromptlyAndSetsNoTag() async throws {
        let repo = RegistryTestBed.unique("fault/cancel-push-src")
        _ = try RegistryTestBed.seed(repo: repo, tag: "v1", layers: 1)
        let proxy = try #require(RegistryTestBed.proxy)
        let client = try RegistryTestBed.client(home: home)
        let layout = home.file("to-push")
        _ = try await client.pull(try ref(repo), to: layout)
        let target = RegistryTestBed.unique("fault/cancel-push")
        // Every upload to the target is held at the proxy for 30 s.
        try RegistryTestBed.faults(#"[{"match": "/\#(target)/blobs/uploads/", "count": 10, "delay_seconds": 30}]"#)
        let push = Task { try await client.push(layout: layout, to: try ref(target, via: proxy)) }
        try await Task.sleep(nanoseconds: 1_500_000_000)
        let cancelled = Date()
        push.cancel()
        await #expect(throws: (any Error).self) { _ = try await push.value }
        #expect(Date().timeIntervalSince(cancelled) < 5, "stopped long before the 30 s delay ends")
        do {
            _ = try await client.getManifest(try ref(target))
            Issue.record("a cancelled push set the tag")
        } catch let error as RegistryError {
            #expect(error.type == .notFound)
        }
    }

    /// Waits until a download into the cache has begun.
    func waitForPartialDownload(in directory: String, suffix: String) async throws {
        for _ in 0..<100 {
            let partial = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
                $0.hasSuffix(suffix)
            }
            if !partial.isEmpty { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw TestFailure("no download started in \(directory)")
    }
}

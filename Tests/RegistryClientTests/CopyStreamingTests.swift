import AuthCore
import Foundation
import OSSBTestSupport
import RegistryVocabulary
import Synchronization
import Testing

@testable import RegistryClient

/// `copy` between two registries streams every blob from the source's response into the destination's
/// upload, against the real docker-registry beds (the fault proxy is another origin in front of the Basic one;
/// the token registry is a registry of its own): nothing goes through the cache unless asked, a broken stream
/// still completes through the cache, and content that does not match its digest is never stored.
@Suite(.enabled(if: RegistryTestBed.available, "needs scripts/test.sh's registry and fault proxy"))
struct CopyStreamingTests {
    let home = TemporaryDirectory()

    func ref(_ repo: String, _ tag: String, via host: String? = nil) throws -> ImageReference {
        try ImageReference.parse("\(host ?? RegistryTestBed.basic!.address)/\(repo):\(tag)")
    }

    /// A client whose explanation lines are collected, so a test can tell a stream from the cache fallback.
    func client(home: TemporaryDirectory, extraEnvironment: [String: String] = [:]) throws -> (
        RegistryClient, ExplainLog
    ) {
        let base = try RegistryTestBed.client(home: home)
        let log = ExplainLog()
        var options = base.options
        options.environment = Environment(base.options.environment.variables.merging(extraEnvironment) { $1 })
        options.explain = { line in log.append(line) }
        return (try RegistryClient(options: options), log)
    }

    /// The layers and config of the seeded image, as digests.
    func blobs(_ seeded: RegistryTestBed.Seeded) throws -> [Digest] {
        try seeded.layers.values.flatMap { $0 }.map { try Digest($0) }
    }

    @Test func streamsEveryBlobAndLeavesTheCacheAlone() async throws {
        let repo = RegistryTestBed.unique("copy/stream")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1", layerMiB: 3, layers: 3)
        let proxy = try #require(RegistryTestBed.proxy)
        let (client, explained) = try client(home: home)
        let target = try ref(RegistryTestBed.unique("copy/stream-dst"), "v1", via: proxy)
        let result = try await client.copy(from: try ref(repo, "v1"), to: target)
        #expect(result.digest == seeded.digest)
        #expect(result.uploaded == 4 && result.mounted == 0, "3 layers and the config: \(result)")
        #expect(!explained.lines.contains { $0.contains("broke off") }, "every blob streamed")
        for digest in try blobs(seeded) {
            #expect(client.cache.lookup(digest) == nil, "\(digest) was written to the cache without --cache")
        }
        // One PUT per blob carried its bytes (no PATCH): the upload ran alongside the download.
        let uploads = try RegistryTestBed.proxyLog().filter { $0.1.contains("/\(target.repository)/blobs/uploads/") }
        #expect(uploads.filter { $0.0 == "PUT" && $0.2 == 201 }.count == 4)
        #expect(!uploads.contains { $0.0 == "PATCH" })
        // What the destination holds pulls and verifies.
        let pulled = try await RegistryTestBed.client(home: TemporaryDirectory()).pull(target, to: home.file("out"))
        #expect(pulled.descriptor.digest == seeded.digest)
    }

    @Test func fillsTheCacheWhenAsked() async throws {
        let repo = RegistryTestBed.unique("copy/cache")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1", layerMiB: 1, layers: 2)
        let proxy = try #require(RegistryTestBed.proxy)
        let (client, _) = try client(home: home)
        let target = try ref(RegistryTestBed.unique("copy/cache-dst"), "v1", via: proxy)
        let result = try await client.copy(from: try ref(repo, "v1"), to: target, fillCache: true)
        #expect(result.digest == seeded.digest && result.uploaded == 3)
        for digest in try blobs(seeded) {
            let path = try #require(client.cache.lookup(digest), "\(digest) is not in the cache")
            #expect(FileHash.sha256(regularFile: path)?.digest == digest.description)
        }
    }

    @Test func aSourceCutMidBlobCompletesThroughTheCache() async throws {
        let repo = RegistryTestBed.unique("copy/cut")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1", layerMiB: 2, layers: 1)
        let layer = try #require(seeded.layers["linux/amd64"]?.first)
        let proxy = try #require(RegistryTestBed.proxy)
        try RegistryTestBed.faults(
            #"[{"match": "/\#(repo)/blobs/\#(layer)", "method": "GET", "count": 1, "truncate_after": 700000}]"#)
        let (client, explained) = try client(home: home)
        let target = try ref(RegistryTestBed.unique("copy/cut-dst"), "v1")
        let result = try await client.copy(from: try ref(repo, "v1", via: proxy), to: target)
        #expect(result.digest == seeded.digest && result.uploaded == 2)
        #expect(
            explained.lines.contains { $0.contains("streaming \(layer) broke off") },
            "the cut stream fell back to the cache")
        let pulled = try await RegistryTestBed.client(home: TemporaryDirectory()).pull(target, to: home.file("out"))
        #expect(pulled.descriptor.digest == seeded.digest)
    }

    @Test(.enabled(if: TokenBedEnvironment.available, "needs scripts/test.sh's token registry"))
    func copiesFromTheTokenRegistryToTheBasicOneAndBack() async throws {
        let bed = try #require(TokenBedEnvironment.current)
        let repo = RegistryTestBed.unique("copy/token")
        let seeded = try TokenIntegrationTests().seed(repo, platforms: "linux/amd64,linux/arm64/v8", layers: 2)
        let prefix = "OSSB_" + EnvironmentStore.prefix(forHost: bed.registry)
        let (client, explained) = try client(
            home: home, extraEnvironment: ["\(prefix)_USERNAME": bed.user, "\(prefix)_PASSWORD": bed.password])
        let target = try ref(RegistryTestBed.unique("copy/from-token"), "v1")
        let result = try await client.copy(
            from: try ImageReference.parse("\(bed.registry)/\(repo):v1"), to: target, allPlatforms: true)
        #expect(result.digest == seeded.digest)
        #expect(result.uploaded == 6, "two images of two layers and a config: \(result)")
        #expect(!explained.lines.contains { $0.contains("broke off") }, "every blob streamed")
        let pulled = try await RegistryTestBed.client(home: TemporaryDirectory()).pull(
            target, to: home.file("out"), allPlatforms: true, preserveDigests: true)
        #expect(pulled.descriptor.digest == seeded.digest)
        // And back, into a new repository of the token registry: the copy remembered where the blobs came from,
        // so they are mounted from the first repository (a mount before any transfer), nothing travels.
        let back = try ImageReference.parse("\(bed.registry)/\(RegistryTestBed.unique("copy/from-basic")):v1")
        let returned = try await client.copy(from: target, to: back, allPlatforms: true)
        #expect(returned.digest == seeded.digest, "\(returned)")
        #expect(returned.mounted == 6 && returned.uploaded == 0, "\(returned)")
    }
}

extension CopyStreamingTests {
    /// Over HTTPS to docker-registry (Go's server speaks HTTP/2, so libcurl may multiplex several blobs on one
    /// connection, each paused and resumed on its own): six 2 MiB layers to the TLS registry and back.
    @Test(
        .enabled(if: TestServers.tls != nil, "needs scripts/test.sh's TLS registry"), .timeLimit(.minutes(2)))
    func streamsToAndFromAnHTTPSRegistry() async throws {
        let tls = try #require(TestServers.tls)
        let certs = home.file("certs.d/\(tls.address)")
        try FileManager.default.createDirectory(atPath: certs, withIntermediateDirectories: true)
        for (from, to) in [(tls.caFile, "ca.crt"), (tls.clientCert, "client.cert"), (tls.clientKey, "client.key")] {
            try FileManager.default.copyItem(atPath: from, toPath: "\(certs)/\(to)")
        }
        let repo = RegistryTestBed.unique("copy/tls-src")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1", layerMiB: 2, layers: 6, everyLayer: true)
        let (client, explained) = try client(home: home, extraEnvironment: ["OSSB_CERTS_D": home.file("certs.d")])
        let there = try ImageReference.parse("\(tls.address)/\(RegistryTestBed.unique("copy/tls")):v1")
        let sent = try await client.copy(from: try ref(repo, "v1"), to: there)
        #expect(sent.digest == seeded.digest && sent.uploaded == 7, "\(sent)")
        let back = try ref(RegistryTestBed.unique("copy/from-tls"), "v1")
        // Another cache, so that nothing is mounted from where the first copy read the blobs.
        let (fresh, _) = try self.client(
            home: TemporaryDirectory(), extraEnvironment: ["OSSB_CERTS_D": home.file("certs.d")])
        let returned = try await fresh.copy(from: there, to: back)
        #expect(returned.digest == seeded.digest && returned.uploaded == 7, "\(returned)")
        #expect(!explained.lines.contains { $0.contains("broke off") }, "every blob streamed")
    }
}

/// Copy from scripts/testbed/hostile-registry.py, which serves content that does not match the manifest's
/// descriptors, into the real Basic-auth registry: the copy fails naming the blob, and the destination holds
/// neither the blob (not even in its storage) nor the tag.
@Suite(
    .enabled(if: TestServers.hostile != nil, "needs scripts/test.sh's hostile registry"),
    .enabled(if: RegistryTestBed.available, "needs scripts/test.sh's registry"))
struct CopyVerificationTests {
    let home = TemporaryDirectory()

    /// Whether the Basic registry answers 200 to a HEAD or GET of `path` under /v2/.
    func exists(_ path: String) throws -> Bool {
        let registry = try #require(RegistryTestBed.basic)
        let status = try RegistryTestBed.curl([
            "-s", "-o", "/dev/null", "-w", "%{http_code}", "-I", "-u", "\(registry.user):\(registry.password)",
            "http://\(registry.address)/v2/\(path)",
        ])
        return String(decoding: status, as: UTF8.self) == "200"
    }

    @Test(arguments: [
        ("wrong-big", "hashes to"), ("short-blob", "ended after"), ("long-blob", "is longer than"),
    ])
    func wrongContentIsNeverStored(repo: String, reason: String) async throws {
        let hostile = try #require(TestServers.hostile)
        let source = try ImageReference.parse("\(hostile.registry)/\(repo):latest")
        let client = try RegistryTestBed.client(home: home, retry: RetryPolicy(maxAttempts: 1))
        let manifest = try await client.getImageManifest(source)
        let layer = try #require(manifest.layers.first).digest
        let target = RegistryTestBed.unique("copy/hostile-\(repo)")
        let registry = try #require(RegistryTestBed.basic).address
        do {
            _ = try await client.copy(from: source, to: try ImageReference.parse("\(registry)/\(target):v1"))
            Issue.record("copying \(repo) succeeded")
        } catch {
            let message = "\(error)"
            #expect(message.contains("blob \(layer)") && message.contains("failed verification"), "\(message)")
            #expect(message.contains(reason), "\(message)")
            #expect(message.contains("does not hold the blob"), "the stream itself caught it: \(message)")
            #expect(!message.contains("\n"), "one line: \(message)")
        }
        #expect(try !exists("\(target)/blobs/\(layer)"), "the destination repository holds the wrong blob")
        #expect(try !exists("\(target)/manifests/v1"), "the tag was created")
        // The storage check only for wrong-big: the other two serve the honest layer under a wrong size, and
        // other tests legitimately copy that layer into this registry.
        if let storage = RegistryTestBed.storage, repo == "wrong-big" {
            let hex = layer.dropFirst("sha256:".count)
            let data = "\(storage)/docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data"
            #expect(!FileManager.default.fileExists(atPath: data), "the registry stored the wrong blob's bytes")
        }
        #expect(client.cache.lookup(try Digest(layer)) == nil)
    }
}

/// Explanation lines collected from a client.
final class ExplainLog: Sendable {
    private let collected = Mutex<[String]>([])
    var lines: [String] { collected.withLock { $0 } }
    func append(_ line: String) { collected.withLock { $0.append(line) } }
}

import AuthCore
import Foundation
import RegistryVocabulary
import Testing

@testable import RegistryClient

/// The client against a real docker-registry (distribution 2.8.2) with Basic auth, seeded by the tests.
@Suite(.enabled(if: RegistryTestBed.available, "needs scripts/test.sh's registry and fault proxy"))
struct PullIntegrationTests {
    let home = TemporaryDirectory()

    func ref(_ repo: String, _ tagOrDigest: String, via host: String? = nil) throws -> ImageReference {
        let registry = host ?? RegistryTestBed.basic!.address
        let separator = tagOrDigest.hasPrefix("sha256:") ? "@" : ":"
        return try ImageReference.parse("\(registry)/\(repo)\(separator)\(tagOrDigest)")
    }

    @Test(arguments: ["oci", "docker"])
    func eachPlatformOfAMultiPlatformImage(format: String) async throws {
        let repo = RegistryTestBed.unique("pull/multi-\(format)")
        let seeded = try RegistryTestBed.seed(
            repo: repo, tag: "v1", format: format, platforms: "linux/amd64,linux/arm64/v8,linux/arm/v7")
        let client = try RegistryTestBed.client(home: home)
        let top = try await client.getManifest(try ref(repo, "v1"))
        #expect(top.digest.description == seeded.digest)
        #expect(top.document.mediaType == seeded.mediaType)
        for (platform, expected) in [
            ("linux/amd64", "linux/amd64"), ("linux/arm64", "linux/arm64/v8"), ("linux/arm/v7", "linux/arm/v7"),
        ] {
            let resolved = try await client.resolveImage(try ref(repo, "v1"), platform: try Platform.parse(platform))
            #expect(resolved.image.digest.description == seeded.manifests[expected])
            #expect(resolved.manifest.layers.map(\.digest) == seeded.layers[expected])
        }
        do {
            _ = try await client.getImageManifest(
                try ref(repo, "v1"), platform: Platform(os: "linux", architecture: "s390x"))
            Issue.record("expected no match")
        } catch {
            #expect("\(error)".contains("available platforms: linux/amd64, linux/arm64/v8, linux/arm/v7"))
        }
    }

    /// A layout on another file system than the cache (tmpfs here, as `/tmp` is on many systems): the cache
    /// gets copies (no links can cross), not synced, whose stamps name this boot; both hold the right bytes, and
    /// the next pull takes every blob from the cache.
    @Test(arguments: [2, 6])
    func aLayoutOnAnotherFileSystemThanTheCacheGetsCopiesThatTheNextPullUses(layers: Int) async throws {
        let repo = RegistryTestBed.unique("pull/cross-fs")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1", layerMiB: 1, layers: layers)
        let shm = "/dev/shm/ossb-test-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: shm) }
        let client = try RegistryTestBed.client(home: home)
        let first = try await client.pull(try ref(repo, "v1"), to: "\(shm)/layout")
        #expect(first.cachedBlobs == 0)
        let boot = try #require(BootIdentity.current)
        // Up to four blobs are copied while the pass syncs them, more after it (`BlobBatch.commit`).
        for layer in try #require(seeded.layers["linux/amd64"]) {
            let digest = try Digest(layer)
            let cached = client.cache.path(for: digest)
            let placed = "\(shm)/layout/blobs/sha256/\(digest.encoded)"
            #expect(FileIdentity(path: cached) != nil && FileIdentity(path: cached) != FileIdentity(path: placed))
            let bytes = try Data(contentsOf: URL(fileURLWithPath: cached))
            #expect(bytes == (try Data(contentsOf: URL(fileURLWithPath: placed))), "\(layer)")
            if bytes.count >= Int(BlobCache.stampedFrom) {
                let stamp = try String(contentsOfFile: client.cache.stampPath(for: digest), encoding: .utf8)
                #expect(stamp.hasSuffix(" unsynced \(boot)\n"), "\(stamp)")
            }
        }
        let again = try await client.pull(try ref(repo, "v1"), to: home.file("again"))
        #expect(again.cachedBlobs == again.blobs, "\(again.cachedBlobs) of \(again.blobs) from the cache")
    }

    /// Pulling again into a layout that holds the image, after the cache was pruned: nothing is downloaded (the
    /// layout's verified files are kept) and the cache takes those very files back, so the pull after that, into
    /// a new layout, comes from the cache too.
    @Test func aPullIntoALayoutThatHoldsTheBlobsDownloadsNothingAndRefillsThePrunedCache() async throws {
        let repo = RegistryTestBed.unique("pull/refill")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1", layerMiB: 1, layers: 2)
        let proxy = try #require(RegistryTestBed.proxy)
        let client = try RegistryTestBed.client(home: home)
        let layout = home.file("layout")
        _ = try await client.pull(try ref(repo, "v1", via: proxy), to: layout)
        client.cache.prune(partialsOnly: false)

        let again = try await client.pull(try ref(repo, "v1", via: proxy), to: layout)
        let blobGets = try RegistryTestBed.proxyLog().filter { $0.1.contains("/\(repo)/blobs/sha256:") }
        #expect(blobGets.count == again.blobs, "one GET per blob, by the first pull only: \(blobGets)")
        for layer in try #require(seeded.layers["linux/amd64"]) {
            let digest = try Digest(layer)
            let cached = try #require(client.cache.lookup(digest), "the cache took \(layer) back")
            #expect(FileIdentity(path: cached) == FileIdentity(path: OCILayout(path: layout).blobPath(digest)))
        }
        let third = try await client.pull(try ref(repo, "v1", via: proxy), to: home.file("third"))
        #expect(third.cachedBlobs == third.blobs, "\(third.cachedBlobs) of \(third.blobs) from the cache")
    }

    @Test func pullByTagAndByDigestWritesALayoutSkopeoReads() async throws {
        let repo = RegistryTestBed.unique("pull/layout")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v2", platforms: "linux/amd64,linux/arm64/v8")
        let client = try RegistryTestBed.client(home: home)
        let out = home.file("layout-tag")
        let result = try await client.pull(
            try ref(repo, "v2"), to: out, platform: Platform(os: "linux", architecture: "arm64"))
        #expect(result.descriptor.digest == seeded.manifests["linux/arm64/v8"])
        #expect(result.descriptor.annotations?[OCILayout.refNameAnnotation] == "v2")
        #expect(result.blobs == 3)
        let index = try OCILayout(path: out).readIndex()
        #expect(index.manifests.count == 1)
        for layer in seeded.layers["linux/arm64/v8"]! {
            #expect(FileManager.default.fileExists(atPath: "\(out)/blobs/sha256/\(layer.dropFirst(7))"))
        }
        let skopeo = try run("/usr/bin/skopeo", ["inspect", "oci:\(out):v2"])
        #expect(skopeo.contains("\"Digest\": \"\(seeded.manifests["linux/arm64/v8"]!)\""), "\(skopeo)")

        // By digest, with every platform: index.json points at the index itself.
        let all = home.file("layout-all")
        let allResult = try await client.pull(try ref(repo, seeded.digest), to: all, allPlatforms: true)
        #expect(allResult.descriptor.digest == seeded.digest)
        #expect(allResult.descriptor.annotations == nil, "a digest reference has no tag to annotate")
        #expect(allResult.platforms.count == 2)
        #expect(allResult.cachedBlobs == 3, "the arm64 blobs came from the cache")
        let raw = try run("/usr/bin/skopeo", ["inspect", "--raw", "oci:\(all)"])
        #expect(raw.contains("\"manifests\""))
    }

    @Test func secondPullFetchesNoBlobAgain() async throws {
        let repo = RegistryTestBed.unique("pull/cache")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1", layers: 3)
        let proxy = try #require(RegistryTestBed.proxy)
        let client = try RegistryTestBed.client(home: home)
        _ = try await client.pull(try ref(repo, "v1", via: proxy), to: home.file("one"))
        let before = try RegistryTestBed.proxyLog().filter { $0.1.contains("/\(repo)/blobs/") }.count
        #expect(before == 4, "config and three layers")
        let second = try RegistryTestBed.client(home: home)  // a new process would see the same cache
        let again = try await second.pull(try ref(repo, "v1", via: proxy), to: home.file("two"))
        let after = try RegistryTestBed.proxyLog().filter { $0.1.contains("/\(repo)/blobs/") }.count
        #expect(after == before)
        #expect(again.cachedBlobs == 4)
        #expect(again.descriptor.digest == seeded.digest)
    }

    /// `cacheBlobs: false` (`pull --no-cache`): downloads, a resumed one too, land only in the layout with its file
    /// mode and nothing is written under the cache directory; blobs the layout holds verified are kept, a damaged one
    /// is downloaded again; blobs already cached are copied from the cache, not downloaded.
    @Test func pullWithoutCachingWritesOnlyTheLayout() async throws {
        let repo = RegistryTestBed.unique("pull/nocache")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1", layerMiB: 2)
        let proxy = try #require(RegistryTestBed.proxy)
        let layer = seeded.layers["linux/amd64"]![0]
        try RegistryTestBed.faults(#"[{"match": "/\#(repo)/blobs/\#(layer)", "count": 1, "truncate_after": 1000000}]"#)
        let client = try RegistryTestBed.client(home: home)
        let blobGets = {
            try RegistryTestBed.proxyLog().filter { $0.1.contains("/\(repo)/blobs/") && $0.2 != 401 }.count
        }
        let layout = home.file("nocache")
        let result = try await client.pull(try ref(repo, "v1", via: proxy), to: layout, cacheBlobs: false)
        #expect(result.descriptor.digest == seeded.digest)
        #expect(result.cachedBlobs == 0)
        #expect(try blobGets() == 4, "the config, two layers, the first cut off once and resumed")
        let cacheEntries = { (try? FileManager.default.contentsOfDirectory(atPath: client.cache.root)) ?? [] }
        #expect(cacheEntries().isEmpty, "nothing under the cache directory: \(cacheEntries())")
        let blobs = "\(layout)/blobs/sha256"
        let names = try FileManager.default.contentsOfDirectory(atPath: blobs)
        #expect(!names.contains { $0.contains(".") }, "no temporary file left: \(names)")
        for name in names {
            #expect(FileHash.sha256(regularFile: "\(blobs)/\(name)")?.digest == "sha256:\(name)")
            let mode = try FileManager.default.attributesOfItem(atPath: "\(blobs)/\(name)")[.posixPermissions] as? Int
            #expect(mode == Int(OCILayout.fileMode), "\(name) has mode \(String(mode ?? 0, radix: 8))")
        }

        // Again into the same layout, its layer damaged: only that layer is downloaded, still nothing cached.
        try Data("not the layer".utf8).write(to: URL(fileURLWithPath: "\(blobs)/\(layer.dropFirst(7))"))
        let before = try blobGets()
        _ = try await client.pull(try ref(repo, "v1", via: proxy), to: layout, cacheBlobs: false)
        #expect(try blobGets() == before + 1)
        #expect(FileHash.sha256(regularFile: "\(blobs)/\(layer.dropFirst(7))")?.digest == layer)
        #expect(cacheEntries().isEmpty, "\(cacheEntries())")

        // Once cached by an ordinary pull, a pull without caching copies from the cache and downloads nothing.
        _ = try await client.pull(try ref(repo, "v1", via: proxy), to: home.file("cached"))
        let cachedGets = try blobGets()
        let copied = try await client.pull(try ref(repo, "v1", via: proxy), to: home.file("copied"), cacheBlobs: false)
        #expect(copied.cachedBlobs == 3)
        #expect(try blobGets() == cachedGets)
        #expect(
            FileHash.sha256(regularFile: home.file("copied/blobs/sha256/\(layer.dropFirst(7))"))?.digest == layer)
    }

    @Test func corruptBlobInTheRegistryIsDetectedAndNotCached() async throws {
        let repo = RegistryTestBed.unique("pull/corrupt")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1")
        let storage = try #require(RegistryTestBed.storage)
        let layer = seeded.layers["linux/amd64"]![0]
        let hex = String(layer.dropFirst(7))
        let data = "\(storage)/docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: data))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: data))
        let client = try RegistryTestBed.client(home: home)
        do {
            _ = try await client.pull(try ref(repo, "v1"), to: home.file("corrupt"))
            Issue.record("a corrupt blob was accepted")
        } catch {
            #expect("\(error)".contains("blob \(layer) failed verification"), "\(error)")
        }
        #expect(client.cache.lookup(try Digest(layer)) == nil, "the corrupt blob must not be cached")
        #expect(!FileManager.default.fileExists(atPath: home.file("corrupt/blobs/sha256/\(hex)")))
        #expect(
            !FileManager.default.fileExists(atPath: home.file("corrupt/index.json")),
            "an incomplete layout has no index.json")
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: client.cache.root + "/tmp")) ?? []
        #expect(leftovers.isEmpty, "no partial download left behind: \(leftovers)")
    }

    @Test func retriesAfter503And429WithRetryAfter() async throws {
        let repo = RegistryTestBed.unique("pull/retry")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1")
        let proxy = try #require(RegistryTestBed.proxy)
        let layer = seeded.layers["linux/amd64"]![0]
        try RegistryTestBed.faults(
            """
            [{"match": "/\(repo)/manifests/v1", "count": 1, "status": 503},
             {"match": "/\(repo)/blobs/\(layer)", "count": 1, "status": 429, "retry_after": "1"}]
            """)
        let client = try RegistryTestBed.client(home: home)
        let started = Date()
        let result = try await client.pull(try ref(repo, "v1", via: proxy), to: home.file("retry"))
        #expect(result.descriptor.digest == seeded.digest)
        #expect(Date().timeIntervalSince(started) >= 1, "Retry-After: 1 was honoured")
        let log = try RegistryTestBed.proxyLog().filter { $0.1.contains("/\(repo)/") }
        #expect(log.contains { $0.1.hasSuffix("/manifests/v1") && $0.2 == 503 })
        #expect(log.contains { $0.1.hasSuffix("/manifests/v1") && $0.2 == 200 })
        #expect(log.filter { $0.1.hasSuffix(layer) && $0.2 != 401 }.map(\.2) == [429, 200])
    }

    /// The `/v2/` ping's challenge is used: no request of the pull meets a 401 of its own (each cost a round trip,
    /// and every parallel blob download met one before the first had learnt the scheme).
    @Test func firstRequestsCarryTheCredentialsThePingAskedFor() async throws {
        let repo = RegistryTestBed.unique("pull/preauth")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1")
        let proxy = try #require(RegistryTestBed.proxy)
        let client = try RegistryTestBed.client(home: home)
        let result = try await client.pull(try ref(repo, "v1", via: proxy), to: home.file("preauth"))
        #expect(result.descriptor.digest == seeded.digest)
        let log = try RegistryTestBed.proxyLog().filter { $0.1.contains("/\(repo)/") }
        #expect(!log.isEmpty)
        #expect(log.allSatisfy { $0.2 != 401 }, "\(log.filter { $0.2 == 401 }.map(\.1))")
    }

    @Test func notRetriedOn404AndBoundedOn503() async throws {
        let proxy = try #require(RegistryTestBed.proxy)
        let client = try RegistryTestBed.client(
            home: home, retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.1, maxTotal: 5))
        let missing = RegistryTestBed.unique("pull/missing")
        let always503 = RegistryTestBed.unique("pull/always503")
        do {
            _ = try await client.getManifest(try ref(missing, "nope", via: proxy))
            Issue.record("expected not found")
        } catch let error as RegistryError {
            #expect(error.type == .notFound)
        }
        // One request (after the Basic challenge's 401): a 404 is never retried.
        #expect(
            try RegistryTestBed.proxyLog().filter { $0.1.contains("/\(missing)/") && $0.2 != 401 }.map(\.2) == [404])
        try RegistryTestBed.faults(#"[{"match": "/\#(always503)/", "count": 100, "status": 503}]"#)
        do {
            _ = try await client.getManifest(try ref(always503, "v1", via: proxy))
            Issue.record("expected a failure")
        } catch let error as RegistryError {
            #expect(error.isRetryable)
        }
        #expect(try RegistryTestBed.proxyLog().filter { $0.1.contains("/\(always503)/") && $0.2 != 401 }.count == 3)
    }

    /// 17 MiB: a layer hashed on its own thread while it downloads (`TrailingHasher`), which must still hash the
    /// part kept from the cut-off transfer and the continuation alike.
    @Test(arguments: [2, 17])
    func interruptedLayerDownloadResumes(layerMiB: Int) async throws {
        #expect(TrailingHasher.threshold <= 17 << 20)
        let repo = RegistryTestBed.unique("pull/resume")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1", layerMiB: layerMiB)
        let proxy = try #require(RegistryTestBed.proxy)
        let layer = seeded.layers["linux/amd64"]![0]
        try RegistryTestBed.faults(#"[{"match": "/\#(repo)/blobs/\#(layer)", "count": 1, "truncate_after": 1000000}]"#)
        let client = try RegistryTestBed.client(home: home)
        let result = try await client.pull(try ref(repo, "v1", via: proxy), to: home.file("resume"))
        #expect(result.descriptor.digest == seeded.digest)
        let cached = try #require(client.cache.lookup(try Digest(layer), size: seeded.sizes["linux/amd64"]![0]))
        #expect(FileHash.sha256(regularFile: cached)?.digest == layer)
        #expect(
            try RegistryTestBed.proxyLog().filter { $0.1.hasSuffix(layer) && $0.2 != 401 }.count == 2,
            "one cut-off transfer, one resumed")
    }

    @Test(arguments: [2, 17])
    func rangeIgnoredRestartsCleanly(layerMiB: Int) async throws {
        let repo = RegistryTestBed.unique("pull/norange")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1", layerMiB: layerMiB)
        let proxy = try #require(RegistryTestBed.proxy)
        let layer = seeded.layers["linux/amd64"]![0]
        try RegistryTestBed.faults(
            """
            [{"match": "/\(repo)/blobs/\(layer)", "count": 1, "truncate_after": 500000},
             {"match": "/\(repo)/blobs/\(layer)", "count": 1, "ignore_range": true}]
            """)
        let client = try RegistryTestBed.client(home: home)
        let result = try await client.pull(try ref(repo, "v1", via: proxy), to: home.file("norange"))
        #expect(result.descriptor.digest == seeded.digest)
        let cached = try #require(client.cache.lookup(try Digest(layer)))
        #expect(FileHash.sha256(regularFile: cached)?.digest == layer)
    }

    @Test func mirrorsDownOrLackingTheImageFallThrough() async throws {
        let repo = RegistryTestBed.unique("pull/mirrored")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1")
        let registry = try #require(RegistryTestBed.basic)
        let proxy = try #require(RegistryTestBed.proxy)
        // A mirror nobody listens on, then a mirror (the proxy) that lacks the image, then the registry.
        try RegistryTestBed.faults(#"[{"match": "/\#(repo)/manifests/", "count": 1, "status": 404}]"#)
        let config = #"{"mirrors": {"\#(registry.address)": ["127.0.0.1:9", "\#(proxy)"]}}"#
        let client = try RegistryTestBed.client(home: home, config: config)
        let result = try await client.pull(try ref(repo, "v1"), to: home.file("mirrored"))
        #expect(result.descriptor.digest == seeded.digest)
        #expect(result.source == registry.address)
        #expect(try RegistryTestBed.proxyLog().contains { $0.1.contains("/\(repo)/manifests/v1") && $0.2 == 404 })
        // With the mirror healthy it serves the image itself.
        let viaMirror = try RegistryTestBed.client(home: TemporaryDirectory(), config: config)
        let second = try await viaMirror.pull(try ref(repo, "v1"), to: home.file("mirrored2"))
        #expect(second.source == proxy)
    }

    @Test func listsTags() async throws {
        let repo = RegistryTestBed.unique("pull/tags")
        for tag in ["a", "b", "c"] { _ = try RegistryTestBed.seed(repo: repo, tag: tag, layers: 1) }
        let client = try RegistryTestBed.client(home: home)
        #expect(try await client.listTags(try ref(repo, "a")).sorted() == ["a", "b", "c"])
    }

    @Test func wrongPasswordIsAnAuthenticationError() async throws {
        let registry = try #require(RegistryTestBed.basic)
        var options = ClientOptions(
            environment: Environment([
                "HOME": home.path,
                "OSSB_" + EnvironmentStore.prefix(forHost: registry.address) + "_USERNAME": registry.user,
                "OSSB_" + EnvironmentStore.prefix(forHost: registry.address) + "_PASSWORD": "wrong-password-123",
            ]))
        options.warn = { _ in }
        let client = try RegistryClient(options: options)
        do {
            _ = try await client.getManifest(try ref("pull/layout", "v2"))
            Issue.record("expected a refusal")
        } catch let error as RegistryError {
            #expect(error.type == .authentication)
            #expect(!error.description.contains("wrong-password-123"))
        }
    }

    func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

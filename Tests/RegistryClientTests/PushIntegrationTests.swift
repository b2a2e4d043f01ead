import AuthCore
import Foundation
import OSSBTestSupport
import RegistryVocabulary
import Testing

@testable import RegistryClient

/// Push, mount and copy against a real docker-registry with Basic auth, read back with skopeo.
@Suite(.enabled(if: RegistryTestBed.available, "needs scripts/test.sh's registry and fault proxy"))
struct PushIntegrationTests {
    let home = TemporaryDirectory()

    func ref(_ repo: String, _ tag: String, via host: String? = nil) throws -> ImageReference {
        try ImageReference.parse("\(host ?? RegistryTestBed.basic!.address)/\(repo):\(tag)")
    }

    /// skopeo's view of an image's digest (of the manifest or index the tag names).
    func skopeoDigest(_ reference: ImageReference) throws -> String {
        let registry = try #require(RegistryTestBed.basic)
        let raw = try run(
            "/usr/bin/skopeo",
            [
                "inspect", "--raw", "--tls-verify=false", "--creds", "\(registry.user):\(registry.password)",
                "docker://\(reference)",
            ])
        return "sha256:" + (try sha256(raw))
    }

    @Test func pushesALayoutAndSkopeoReadsTheSameDigest() async throws {
        let layout = home.file("layout")
        let made = try run("\(SourceTree.root)/scripts/testbed/make-test-image.sh", [layout, "v1", "push \(UUID())"])
        let expected = String(decoding: made, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let client = try RegistryTestBed.client(home: home)
        let target = try ref(RegistryTestBed.unique("push/single"), "v1")
        let result = try await client.push(layout: layout, to: target)
        #expect(result.digest == expected)
        #expect(result.uploaded == 2)
        #expect(try skopeoDigest(target) == expected)
        // Pushing again sends nothing: the registry has every blob.
        let again = try await client.push(layout: layout, name: "v1", to: target)
        #expect(again.existed == 2 && again.uploaded == 0)
    }

    @Test func pushesAMultiPlatformIndexWithIdenticalDigests() async throws {
        let repo = RegistryTestBed.unique("push/index-src")
        let seeded = try RegistryTestBed.seed(
            repo: repo, tag: "v1", format: "docker", platforms: "linux/amd64,linux/arm64/v8")
        let client = try RegistryTestBed.client(home: home)
        let layout = home.file("all")
        // The registry's Docker bytes are kept only with preserveDigests (by default they are converted to OCI).
        _ = try await client.pull(try ref(repo, "v1"), to: layout, allPlatforms: true, preserveDigests: true)
        let target = try ref(RegistryTestBed.unique("push/index-dst"), "multi")
        let result = try await client.push(layout: layout, to: target)
        #expect(result.digest == seeded.digest)
        #expect(result.mediaType == MediaType.dockerManifestList)
        #expect(try skopeoDigest(target) == seeded.digest)
        // Each platform's manifest is there by digest too.
        for (_, digest) in seeded.manifests {
            let platformRef = ImageReference(
                registry: target.registry, repository: target.repository, digest: try Digest(digest))
            #expect(try await client.getManifest(platformRef).digest.description == digest)
        }
    }

    @Test func secondRepositoryMountsInsteadOfUploading() async throws {
        let layout = home.file("layout")
        _ = try run("\(SourceTree.root)/scripts/testbed/make-test-image.sh", [layout, "v1", "mount \(UUID())"])
        let proxy = try #require(RegistryTestBed.proxy)
        let client = try RegistryTestBed.client(home: home)
        let first = try ref(RegistryTestBed.unique("push/mount-a"), "v1", via: proxy)
        _ = try await client.push(layout: layout, to: first)
        let secondRepo = RegistryTestBed.unique("push/mount-b")
        let result = try await client.push(layout: layout, to: try ref(secondRepo, "v1", via: proxy))
        #expect(result.mounted == 2 && result.uploaded == 0)
        let mounts = try RegistryTestBed.proxyLog().filter {
            $0.0 == "POST" && $0.1.contains("/\(secondRepo)/blobs/uploads/?mount=")
        }
        #expect(mounts.map(\.2) == [201, 201], "the registry answered 201 Created: mounted")
    }

    @Test func copiesBetweenRepositoriesAndBetweenRegistries() async throws {
        let repo = RegistryTestBed.unique("copy/src")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1", platforms: "linux/amd64,linux/arm64/v8")
        let client = try RegistryTestBed.client(home: home)
        // Within one registry: every blob is mounted.
        let sameRegistry = try ref(RegistryTestBed.unique("copy/dst"), "v1")
        let within = try await client.copy(from: try ref(repo, "v1"), to: sameRegistry, allPlatforms: true)
        #expect(within.digest == seeded.digest)
        #expect(within.mounted == 6 && within.uploaded == 0)
        #expect(try skopeoDigest(sameRegistry) == seeded.digest)
        // To another registry (the proxy is another origin): blobs travel through the verified cache.
        let proxy = try #require(RegistryTestBed.proxy)
        let other = try ref(RegistryTestBed.unique("copy/far"), "v1", via: proxy)
        let fresh = try RegistryTestBed.client(home: TemporaryDirectory())
        let across = try await fresh.copy(from: try ref(repo, "v1"), to: other, allPlatforms: true)
        #expect(across.digest == seeded.digest)
        #expect(across.uploaded == 6)
        // One platform only: the tag names that platform's manifest.
        let single = try ref(RegistryTestBed.unique("copy/one"), "arm")
        let one = try await client.copy(
            from: try ref(repo, "v1"), to: single, platform: Platform(os: "linux", architecture: "arm64"))
        #expect(one.digest == seeded.manifests["linux/arm64/v8"])
    }

    /// A 2 MiB single-layer image pulled into a layout, and a client that pushes blobs over 256 KiB in 512 KiB
    /// chunks; the faults are set for a fresh target repository before pushing it there through the proxy.
    func pushInChunks(_ name: String, faults: (String) -> String) async throws -> (
        seeded: RegistryTestBed.Seeded, target: String, result: PushResult
    ) {
        let repo = RegistryTestBed.unique("push/\(name)")
        let proxy = try #require(RegistryTestBed.proxy)
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1", layerMiB: 2, layers: 1)
        let client = try RegistryTestBed.client(home: home)
        let layout = home.file(name)
        _ = try await client.pull(try ref(repo, "v1"), to: layout)
        let target = RegistryTestBed.unique("push/\(name)-dst")
        try RegistryTestBed.faults(faults(target))
        var options = client.options
        options.monolithicUploadLimit = 256 << 10
        options.uploadChunkSize = 512 << 10
        options.config = client.config
        let chunked = try RegistryClient(options: options)
        let result = try await chunked.push(layout: layout, to: try ref(target, "v1", via: proxy))
        return (seeded, target, result)
    }

    @Test func interruptedChunkedUploadCompletes() async throws {
        let (seeded, target, result) = try await pushInChunks("chunks") { target in
            """
            [{"match": "/\(target)/blobs/uploads/", "method": "PATCH", "count": 1, "status": 503},
             {"match": "/\(target)/blobs/uploads/", "method": "PATCH", "count": 1, "forward_then_status": 502}]
            """
        }
        #expect(result.digest == seeded.digest)
        let patches = try RegistryTestBed.proxyLog().filter { $0.0 == "PATCH" && $0.1.contains("/\(target)/") }
        #expect(patches.contains { $0.2 == 503 } && patches.contains { $0.2 == 502 })
        #expect(patches.filter { $0.2 == 202 }.count >= 4, "a 2 MiB layer in 512 KiB chunks")
        #expect(try skopeoDigest(try ref(target, "v1")) == seeded.digest)
    }

    /// A chunk cut mid-body leaves the registry holding part of it: the client asks for the registry's offset
    /// and sends the rest from there, in the same upload session, instead of resending the chunk from its start
    /// (docker-registry would append it after the part it holds) or starting over. Cases: (chunk, bytes kept).
    /// The first chunk cut before any byte arrived is the case where docker-registry reports `Range: 0-0`.
    @Test(arguments: [(1, 300_000), (1, 0), (0, 0)])
    func cutChunkResumesAtTheRegistrysOffset(chunk: Int, kept: Int) async throws {
        let (seeded, target, result) = try await pushInChunks("cut") { target in
            """
            [{"match": "/\(target)/blobs/uploads/", "method": "PATCH", "skip": \(chunk), "count": 1, "cut_body_after": \(kept)}]
            """
        }
        #expect(result.digest == seeded.digest)
        let log = try RegistryTestBed.proxyLog().filter { $0.1.contains("/\(target)/blobs/uploads/") }
        let cut = try #require(log.firstIndex { $0.2 == 0 }, "the proxy cut a chunk")
        let chunkStart = chunk * 524_288
        #expect(log[cut].3 == "\(chunkStart)-\(chunkStart + 524_287)")
        let resumed = try #require(log[(cut + 1)...].first { $0.0 == "PATCH" && $0.2 == 202 })
        #expect(resumed.3.hasPrefix("\(chunkStart + kept)-"), "resumed at the registry's offset, not at \(resumed.3)")
        #expect(log.filter { $0.0 == "POST" }.count == 2, "one upload session per blob: nothing started over")
        #expect(try skopeoDigest(try ref(target, "v1")) == seeded.digest)
    }

    @Test func chunksCutEveryTimeEndThePushWithOneClearError() async throws {
        do {
            _ = try await pushInChunks("cut-always") { target in
                #"[{"match": "/\#(target)/blobs/uploads/", "method": "PATCH", "count": 100, "cut_body_after": 0}]"#
            }
            Issue.record("expected the push to fail")
        } catch let error as RegistryError {
            #expect(error.type == .network && "\(error)".contains("broke off mid-chunk 5 times in a row"), "\(error)")
        }
    }

    @Test func failedPushLeavesNoTag() async throws {
        let layout = home.file("layout")
        _ = try run("\(SourceTree.root)/scripts/testbed/make-test-image.sh", [layout, "v1", "fail \(UUID())"])
        let proxy = try #require(RegistryTestBed.proxy)
        let target = RegistryTestBed.unique("push/fails")
        try RegistryTestBed.faults(
            #"[{"match": "/\#(target)/blobs/uploads/", "method": "PUT", "count": 100, "status": 500}]"#)
        let client = try RegistryTestBed.client(
            home: home, retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.1, maxTotal: 5))
        do {
            _ = try await client.push(layout: layout, to: try ref(target, "v1", via: proxy))
            Issue.record("expected the push to fail")
        } catch let error as RegistryError {
            #expect(error.isRetryable)
        }
        do {
            _ = try await client.getManifest(try ref(target, "v1"))
            Issue.record("the tag exists after a failed push")
        } catch let error as RegistryError {
            #expect(error.type == .notFound)
        }
    }

    @Test func pushesFromALayoutSkopeoWroteChoosingByName() async throws {
        let registry = try #require(RegistryTestBed.basic)
        let first = RegistryTestBed.unique("push/skopeo-a")
        let second = RegistryTestBed.unique("push/skopeo-b")
        let a = try RegistryTestBed.seed(repo: first, tag: "v1", layers: 1)
        _ = try RegistryTestBed.seed(repo: second, tag: "v1", layers: 1)
        let layout = home.file("skopeo-layout")
        for (repo, name) in [(first, "first"), (second, "second")] {
            _ = try run(
                "/usr/bin/skopeo",
                [
                    "copy", "--quiet", "--src-tls-verify=false", "--src-creds", "\(registry.user):\(registry.password)",
                    "docker://\(registry.address)/\(repo):v1", "oci:\(layout):\(name)",
                ])
        }
        let client = try RegistryTestBed.client(home: home)
        let target = try ref(RegistryTestBed.unique("push/from-skopeo"), "v1")
        do {
            _ = try await client.push(layout: layout, to: target)
            Issue.record("two images and no name must be refused")
        } catch {
            #expect("\(error)".contains("holds several images; choose one as \(layout):NAME (names: first, second)"))
        }
        let result = try await client.push(layout: layout, name: "first", to: target)
        #expect(result.digest == a.digest)
        #expect(try skopeoDigest(target) == a.digest)
    }

    @Test func layoutErrorsAreClear() async throws {
        let client = try RegistryTestBed.client(home: home)
        do {
            _ = try await client.push(layout: home.file("nothing"), to: try ref("push/x", "v1"))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("is not an OCI image layout"))
        }
    }

    func run(_ executable: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }

    func sha256(_ data: Data) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(data)
        try input.fileHandleForWriting.close()
        let result = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(String(decoding: result, as: UTF8.self).prefix(64))
    }
}

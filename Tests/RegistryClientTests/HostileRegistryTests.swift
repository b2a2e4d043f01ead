import AuthCore
import Foundation
import RegistryVocabulary
import Testing

@testable import RegistryClient

/// The client against scripts/testbed/hostile-registry.py, which lies by repository name: every lie must end in
/// a clear error, never in content the digest does not pin, a smuggled header or a leaked credential.
@Suite(.enabled(if: TestServers.hostile != nil, "needs scripts/test.sh's hostile registry"))
struct HostileRegistryTests {
    let home = TemporaryDirectory()
    static let amd64 = Platform(os: "linux", architecture: "amd64")

    func client() throws -> RegistryClient {
        var options = ClientOptions(environment: Environment(["HOME": home.path, "PATH": "/usr/bin:/bin"]))
        options.retry = RetryPolicy(maxAttempts: 1, baseDelay: 0.01, maxDelay: 0.01, maxTotal: 1)
        options.warn = { _ in }
        return try RegistryClient(options: options)
    }

    func ref(_ repo: String, _ tag: String = "latest") throws -> ImageReference {
        try ImageReference.parse("\(try #require(TestServers.hostile).registry)/\(repo):\(tag)")
    }

    /// Pulls `repo` into a fresh layout and returns the error, recording an issue when the pull succeeded.
    func pullError(_ repo: String, allPlatforms: Bool = false, sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> String
    {
        let out = home.file("out-\(repo)-\(allPlatforms)")
        do {
            _ = try await client().pull(try ref(repo), to: out, platform: Self.amd64, allPlatforms: allPlatforms)
            Issue.record("pulling \(repo) succeeded", sourceLocation: sourceLocation)
            return ""
        } catch {
            #expect(
                !FileManager.default.fileExists(atPath: "\(out)/index.json"), "a failed pull writes no index.json",
                sourceLocation: sourceLocation)
            return "\(error)"
        }
    }

    @Test func theHonestImagePulls() async throws {
        let result = try await client().pull(try ref("good"), to: home.file("good"))
        #expect(result.blobs == 2)
    }

    @Test(arguments: [false, true])
    func anIndexEntryThatIsATagIsRefused(allPlatforms: Bool) async throws {
        let message = try await pullError("tag-entry", allPlatforms: allPlatforms)
        #expect(message.contains("\"mutable\""), "\(message)")
        #expect(message.contains("digest"), "\(message)")
        do {
            _ = try await client().getImageManifest(try ref("tag-entry"), platform: Self.amd64)
            Issue.record("an index entry naming a tag was fetched")
        } catch {
            #expect("\(error)".contains("mutable"))
        }
    }

    @Test func pinningTheIndexByDigestDoesNotLetAnEntryThatIsATagThrough() async throws {
        let client = try client()
        let top = try await client.getManifest(try ref("tag-entry"))
        let pinned = try ImageReference.parse("\(try #require(TestServers.hostile).registry)/tag-entry@\(top.digest)")
        do {
            _ = try await client.pull(pinned, to: home.file("pinned"), platform: Self.amd64)
            Issue.record("a pull by digest fetched an entry by tag")
        } catch {
            #expect("\(error)".contains("\"mutable\""), "\(error)")
        }
    }

    @Test func aLayerWhoseDigestIsATagIsRefused() async throws {
        let message = try await pullError("layer-tag")
        #expect(message.contains("invalid blob digest"), "\(message)")
    }

    @Test func anIndexEntryOfAnotherAlgorithmFailsClearly() async throws {
        let message = try await pullError("other-algorithm")
        #expect(message.contains("sha512"), "\(message)")
        #expect(message.contains("only sha256"), "\(message)")
    }

    @Test func anIndexEntryWithTheWrongSizeIsRefused() async throws {
        let message = try await pullError("entry-size")
        #expect(message.contains("the index says"), "\(message)")
    }

    @Test func aManifestWhoseBytesDoNotMatchItsDigestIsRefused() async throws {
        let message = try await pullError("wrong-bytes")
        #expect(message.contains("manifest digest mismatch"), "\(message)")
    }

    @Test func aManifestWhoseBytesDoNotMatchDockerContentDigestIsRefused() async throws {
        let message = try await pullError("wrong-header")
        #expect(message.contains("Docker-Content-Digest"), "\(message)")
    }

    /// The huge-* layers (18 MiB) are hashed on a thread of their own, trailing the download (`TrailingHasher`).
    @Test(arguments: ["long-blob", "short-blob", "huge-long", "huge-short"])
    func aBlobOfAnotherSizeThanItsDescriptorIsNotCached(repo: String) async throws {
        let message = try await pullError(repo)
        #expect(message.contains("bytes"), "\(message)")
        let client = try client()
        let manifest = try await client.getImageManifest(try ref(repo))
        #expect(client.cache.lookup(try manifest.layers[0].parsedDigest()) == nil)
    }

    /// A layer large enough to be hashed on its own thread while it downloads, its last byte changed: the pull
    /// fails naming the mismatch, into the cache or (`--no-cache`) beside its name in the layout, and nothing is
    /// left under either.
    @Test(arguments: [true, false])
    func aLargeBlobWithWrongContentIsNeverStored(cacheBlobs: Bool) async throws {
        #expect(TrailingHasher.threshold <= 18 << 20, "the huge-* layers must take the trailing hasher's path")
        let client = try client()
        let out = home.file("huge-wrong-\(cacheBlobs)")
        do {
            _ = try await client.pull(try ref("huge-wrong"), to: out, platform: Self.amd64, cacheBlobs: cacheBlobs)
            Issue.record("a layer with the wrong content was pulled")
        } catch {
            #expect("\(error)".contains("failed verification"), "\(error)")
            #expect("\(error)".contains("hashes to"), "\(error)")
        }
        let layer = try #require(try await client.getImageManifest(try ref("huge-wrong")).layers.first).parsedDigest()
        #expect(client.cache.lookup(layer) == nil)
        let temporary = (try? FileManager.default.contentsOfDirectory(atPath: "\(client.cache.root)/tmp")) ?? []
        #expect(temporary.isEmpty, "partial downloads left in the cache: \(temporary)")
        let blobs = (try? FileManager.default.subpathsOfDirectory(atPath: out)) ?? []
        #expect(!blobs.contains { $0.contains(layer.encoded) }, "the layout holds the layer: \(blobs)")
    }

    @Test func aTokenWithCRLFIsRefusedAndSmugglesNoHeader() async throws {
        let hostile = try #require(TestServers.hostile)
        do {
            _ = try await client().getManifest(try ref("token-crlf"))
            Issue.record("a token holding CR LF was used")
        } catch {
            #expect("\(error)".contains("token"), "\(error)")
            #expect(!"\(error)".contains("X-Injected"), "\(error)")
        }
        let injected = String(
            decoding: try RegistryTestBed.curl(["-s", "http://\(hostile.registry)/__injected"]), as: UTF8.self)
        #expect(injected == "[]", "headers were smuggled: \(injected)")
    }

    @Test func anErrorEchoingTheTokenDoesNotShowIt() async throws {
        do {
            _ = try await client().getManifest(try ref("token-echo"))
            Issue.record("expected a denial")
        } catch {
            let text = "\(error)"
            #expect(text.contains("DENIED"), "\(text)")
            #expect(!text.contains("echo-token-0123456789abcdef"), "the token leaked: \(text)")
        }
    }

    @Test func tagsOutsideTheGrammarAreDropped() async throws {
        let tags = try await client().listTags(try ref("ansi-tags"))
        #expect(tags == ["v1"])
    }
}

extension HostileRegistryTests {
    @Test func aManifestLongerThanItsDescriptorIsNotReadPastItsSize() async throws {
        let client = try client()
        let top = try await client.getManifest(try ref("good"))
        let entry = Descriptor(mediaType: MediaType.ociManifest, digest: top.digest.description, size: 10)
        do {
            _ = try await client.fetchManifest(try ref("good"), descriptor: entry, from: top.source)
            Issue.record("a manifest longer than its descriptor was accepted")
        } catch {
            #expect("\(error)".contains("more than the 10 bytes"), "\(error)")
        }
        // An error body longer than the declared size is still read whole and reported as what it is.
        let missing = Descriptor(
            mediaType: MediaType.ociManifest, digest: "sha256:" + String(repeating: "0", count: 64), size: 10)
        do {
            _ = try await client.fetchManifest(try ref("good"), descriptor: missing, from: top.source)
            Issue.record("a missing manifest was found")
        } catch let error as RegistryError {
            #expect(error.type == .notFound, "\(error)")
        }
    }
}

import Foundation
import OSSBTestSupport
import Testing

/// The layouts `pull` writes open by tag in the real readers of OCI layouts (skopeo, podman, buildah, umoci),
/// whatever format the registry served, and `pull` into a layout other tools wrote keeps their images.
@Suite(
    .enabled(if: TestServers.basic != nil, "needs scripts/test.sh's registry"),
    .enabled(if: LayoutReaders.missing.isEmpty, "needs skopeo, podman, buildah and umoci (scripts/install-deps.sh)"))
struct LayoutInteropTests {
    let harness = CommandHarness()
    let readers = LayoutReaders()

    func login() async throws -> String { try await harness.loginToBasicRegistry() }

    func unique(_ name: String) -> String { "layout/\(name)-\(UUID().uuidString.prefix(8).lowercased())" }

    @Test(arguments: [
        ("docker", "linux/amd64", [String]()), ("docker", "linux/amd64,linux/arm64/v8", ["--platform", "linux/arm64"]),
        ("docker", "linux/amd64,linux/arm64/v8", ["--all-platforms"]), ("oci", "linux/amd64", []),
        ("oci", "linux/amd64,linux/arm64/v8", ["--all-platforms"]),
    ])
    func everyPullOpensByTagInEveryReader(format: String, platforms: String, flags: [String]) async throws {
        let registry = try await login()
        let repo = unique(format)
        let seeded = try SeededImage.push(repo, format: format, platforms: platforms)
        let layout = readers.directory("pulled")
        let pulled = await harness.run(["pull", "\(registry)/\(repo):v1", "-o", layout] + flags)
        #expect(pulled.status == 0, "\(pulled.stderr)")
        let registryDigest = flags.contains("--platform") ? seeded.manifests["linux/arm64/v8"]! : seeded.digest
        let index = try LayoutReaders.index(layout)
        let entry = try #require(index.first)
        #expect(index.count == 1)
        #expect(
            entry["mediaType"] as? String
                == (flags.contains("--all-platforms")
                    ? "application/vnd.oci.image.index.v1+json" : "application/vnd.oci.image.manifest.v1+json"))
        if format == "docker" {
            #expect(
                entry["digest"] as? String != registryDigest, "a Docker manifest is converted, so its digest changes")
            #expect(
                pulled.stdout.contains(
                    "\(entry["digest"] as! String) (converted to OCI from the registry's Docker-format \(registryDigest))"
                ), "\(pulled.stdout)")
        } else {
            #expect(entry["digest"] as? String == registryDigest, "an OCI image keeps its digest")
            #expect(!pulled.stdout.contains("converted"))
        }
        #expect(readers.failures(layout, tag: "v1").isEmpty, "\(readers.failures(layout, tag: "v1"))")
    }

    @Test func preserveDigestsKeepsTheDockerBytes() async throws {
        let registry = try await login()
        let repo = unique("preserved")
        let seeded = try SeededImage.push(repo, format: "docker", platforms: "linux/amd64")
        let layout = readers.directory("preserved")
        let pulled = await harness.run(["pull", "\(registry)/\(repo):v1", "-o", layout, "--preserve-digests"])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        let entry = try #require(try LayoutReaders.index(layout).first)
        #expect(entry["digest"] as? String == seeded.digest)
        #expect(entry["mediaType"] as? String == "application/vnd.docker.distribution.manifest.v2+json")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(layout)/blobs/sha256/\(seeded.digest.dropFirst(7))"))
        #expect(bytes.count == entry["size"] as? Int)
    }

    @Test func pullIntoASkopeoLayoutKeepsItsImages() async throws {
        let registry = try #require(TestServers.basic)
        _ = try await login()
        let layout = readers.directory("shared")
        let first = unique("first")
        let second = unique("second")
        let third = unique("third")
        _ = try SeededImage.push(first, format: "docker", platforms: "linux/amd64")
        _ = try SeededImage.push(second, format: "oci", platforms: "linux/amd64")
        let thirdImage = try SeededImage.push(third, format: "docker", platforms: "linux/amd64,linux/arm64/v8")
        for (repo, tag) in [(first, "alpine:3.20"), (second, "second")] {
            let copied = try readers.skopeo([
                "copy", "--src-tls-verify=false", "--src-creds", "\(registry.user):\(registry.password)",
                "docker://\(registry.address)/\(repo):v1", "oci:\(layout):\(tag)",
            ])
            #expect(copied.status == 0, "\(copied)")
        }
        let pulled = await harness.run(["pull", "\(registry.address)/\(third):v1", "-o", layout, "--all-platforms"])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        // Pulling the same tag again replaces it instead of adding a second "v1".
        let again = await harness.run([
            "pull", "\(registry.address)/\(third):v1", "-o", layout, "--platform", "linux/arm64",
        ])
        #expect(again.status == 0, "\(again.stderr)")
        let names = try LayoutReaders.index(layout).map {
            ($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"]
        }
        #expect(names == ["alpine:3.20", "second", "v1"])
        for tag in ["alpine:3.20", "second", "v1"] {
            #expect(readers.failures(layout, tag: tag).isEmpty, "\(tag): \(readers.failures(layout, tag: tag))")
        }
        #expect(!again.stdout.contains(thirdImage.digest))
        // `push DIR:alpine:3.20` chooses the whole name skopeo wrote, not "3.20" of a directory "DIR:alpine".
        let named = try #require(try LayoutReaders.index(layout).first?["digest"] as? String)
        let pushed = await harness.run(["push", "\(layout):alpine:3.20", "\(registry.address)/\(unique("named")):v1"])
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(pushed.stdout.contains(named), "\(pushed.stdout)")
    }

    @Test func concurrentPullsIntoOneLayoutAreAllListed() async throws {
        let registry = try await login()
        let layout = readers.directory("concurrent")
        let repo = unique("concurrent")
        let tags = (0..<4).map { "c\($0)" }
        for tag in tags { _ = try SeededImage.push(repo, tag: tag, platforms: "linux/amd64") }
        // One harness each (its output is its own), all writing the same layout at once.
        let statuses = await withTaskGroup(of: Int32.self) { group in
            for tag in tags {
                group.addTask {
                    let own = CommandHarness()
                    _ = try? await own.loginToBasicRegistry()
                    return await own.run(["pull", "\(registry)/\(repo):\(tag)", "-o", layout]).status
                }
            }
            return await group.reduce(into: [Int32]()) { $0.append($1) }
        }
        #expect(statuses == [0, 0, 0, 0])
        let names = try LayoutReaders.index(layout).compactMap {
            ($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"]
        }
        #expect(names.sorted() == tags, "every pull's image is listed")
    }

    @Test func pullIntoAnUmociLayoutKeepsItValid() async throws {
        let registry = try await login()
        let layout = readers.directory("umoci")
        let created = try readers.umoci(["init", "--layout", layout])
        #expect(created.status == 0, "\(created)")
        let made = try readers.umoci(["new", "--image", "\(layout):empty"])
        #expect(made.status == 0, "\(made)")
        let repo = unique("umoci")
        _ = try SeededImage.push(repo, format: "docker", platforms: "linux/amd64")
        let pulled = await harness.run(["pull", "\(registry)/\(repo):v1", "-o", layout])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        let listed = try readers.umoci(["ls", "--layout", layout])
        #expect(listed.stdout.split(separator: "\n").sorted() == ["empty", "v1"], "\(listed)")
        #expect(readers.failures(layout, tag: "v1").isEmpty, "\(readers.failures(layout, tag: "v1"))")
    }

    @Test func aMalformedIndexIsNotOverwritten() async throws {
        let registry = try await login()
        let layout = readers.directory("broken")
        try FileManager.default.createDirectory(atPath: layout, withIntermediateDirectories: true)
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: "\(layout)/oci-layout"))
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: "\(layout)/index.json"))
        let repo = unique("broken")
        _ = try SeededImage.push(repo, platforms: "linux/amd64")
        let pulled = await harness.run(["pull", "\(registry)/\(repo):v1", "-o", layout])
        #expect(pulled.status == 1)
        #expect(pulled.stderr.contains("index.json is not a valid image index"), "\(pulled.stderr)")
        #expect(try String(contentsOfFile: "\(layout)/index.json", encoding: .utf8) == "{not json")
    }
}

/// Runs the real readers of OCI layouts with private storage (podman and buildah on vfs in a temporary root, so
/// they need no privileges beyond the test's and touch nothing of the machine's).
final class LayoutReaders: Sendable {
    /// A short directory with a lower-case path: podman names an image pulled from `oci:DIR` after DIR (image names
    /// must be lower-case) and refuses a run root longer than 50 characters.
    let root = "/tmp/ossb-l-\(UUID().uuidString.lowercased().prefix(8))"
    static let programs = ["skopeo", "podman", "buildah", "umoci"]
    static var missing: [String] { programs.filter { TestProcess.which($0) == nil } }

    init() {
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func directory(_ name: String) -> String { "\(root)/\(name)" }

    var environment: [String: String] { ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": root, "TMPDIR": root] }
    /// Separate storage per program, so buildah reads the layout rather than finding podman's copy.
    func storage(_ program: String) -> [String] {
        ["--root", "\(root)/\(program)-storage", "--runroot", "\(root)/\(program)-run", "--storage-driver", "vfs"]
    }

    func skopeo(_ arguments: [String]) throws -> TestProcess.Result {
        try TestProcess.run(TestProcess.which("skopeo")!, arguments, environment: environment)
    }

    func umoci(_ arguments: [String]) throws -> TestProcess.Result {
        try TestProcess.run(TestProcess.which("umoci")!, arguments, environment: environment)
    }

    /// What each reader said when it could not open `layout:tag` (empty when all four opened it). umoci 0.4.7
    /// cannot choose a platform from an index (`stat` says "tag is ambiguous"), so for an index it only has to
    /// list the tag.
    func failures(_ layout: String, tag: String) -> [String] {
        let isIndex =
            (try? Self.index(layout))?.contains {
                ($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] == tag
                    && $0["mediaType"] as? String == "application/vnd.oci.image.index.v1+json"
            } ?? false
        if isIndex, let listed = try? umoci(["ls", "--layout", layout]),
            !listed.stdout.split(separator: "\n").contains(Substring(tag))
        {
            return ["umoci ls does not list \(tag): \(listed)"]
        }
        let runs: [(String, [String])] =
            [
                ("skopeo", ["inspect", "oci:\(layout):\(tag)"]),
                ("podman", storage("podman") + ["pull", "--quiet", "oci:\(layout):\(tag)"]),
                ("buildah", storage("buildah") + ["from", "--quiet", "oci:\(layout):\(tag)"]),
            ] + (isIndex ? [] : [("umoci", ["stat", "--image", "\(layout):\(tag)"])])
        return runs.compactMap { program, arguments in
            guard let result = try? TestProcess.run(TestProcess.which(program)!, arguments, environment: environment)
            else {
                return "\(program) did not run"
            }
            return result.status == 0 ? nil : "\(program): \(result.stderr)"
        }
    }

    /// `index.json`'s descriptors.
    static func index(_ layout: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(layout)/index.json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return object?["manifests"] as? [[String: Any]] ?? []
    }
}

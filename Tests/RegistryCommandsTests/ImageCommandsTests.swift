import AuthCore
import Foundation
import OSSBTestSupport
import Testing

/// `ossb-registry inspect`, `pull`, `push`, `copy` and `tags` in-process against the real Basic-auth registry,
/// logged in with `ossb-registry login` first, the results read back with skopeo.
@Suite(.enabled(if: TestServers.basic != nil, "needs scripts/test.sh's registry"))
struct ImageCommandsTests {
    let harness = CommandHarness()
    func seed(_ repo: String, platforms: String = "linux/amd64,linux/arm64/v8") throws -> SeededImage {
        try SeededImage.push(repo, platforms: platforms)
    }

    func login() async throws -> String { try await harness.loginToBasicRegistry() }

    func unique(_ name: String) -> String { "cli/\(name)-\(UUID().uuidString.prefix(8).lowercased())" }

    @Test func inspectShowsPlatformsLayersAndRawBytes() async throws {
        let registry = try await login()
        let repo = unique("inspect")
        let seeded = try seed(repo)
        let index = await harness.run(["inspect", "\(registry)/\(repo):v1"])
        #expect(index.status == 0, "\(index.stderr)")
        #expect(index.stdout.contains("Digest:      \(seeded.digest)"))
        #expect(index.stdout.contains("linux/arm64/v8  \(seeded.manifests["linux/arm64/v8"]!)"))
        let image = await harness.run(["inspect", "--platform", "linux/arm64", "\(registry)/\(repo):v1"])
        #expect(image.stdout.contains("Digest:      \(seeded.manifests["linux/arm64/v8"]!)"))
        #expect(image.stdout.contains("Platform:    linux/arm64/v8"))
        #expect(image.stdout.contains("Layers:      2"))
        // The real command in a pipe: stdout is no terminal, so not a byte is added.
        let hash = try TestProcess.run(
            "/bin/sh", ["-c", "\"$OSSB\" inspect --raw \"$REF\" | sha256sum"],
            environment: [
                "OSSB": "\(TestProcess.productsDirectory)/ossb-registry", "REF": "\(registry)/\(repo):v1",
                "PATH": "/usr/bin:/bin",
                "HOME": harness.home.path, "OSSB_CREDENTIALS_FILE": harness.credentialsFile,
                "OSSB_CERTS_D": harness.home.file("certs.d"),
            ])
        #expect("sha256:" + hash.stdout.prefix(64) == seeded.digest, "--raw prints the bytes exactly as served")
    }

    @Test func pullWritesALayoutSkopeoReadsAndNoProgressWithoutATerminal() async throws {
        let registry = try await login()
        let repo = unique("pull")
        let seeded = try seed(repo)
        let out = harness.home.file("layout")
        let pulled = await harness.run(["pull", "\(registry)/\(repo):v1", "--output", out, "--platform", "linux/arm64"])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(
            pulled.stdout.hasPrefix(
                "Pulled \(registry)/\(repo):v1 (linux/arm64/v8) into \(out): \(seeded.manifests["linux/arm64/v8"]!)"))
        #expect(pulled.stderr.isEmpty, "no progress bars when stderr is not a terminal")
        let skopeo = try TestProcess.run(
            "/usr/bin/skopeo", ["inspect", "oci:\(out):v1"],
            environment: ["PATH": "/usr/bin:/bin", "HOME": harness.home.path])
        #expect(skopeo.stdout.contains(seeded.manifests["linux/arm64/v8"]!), "\(skopeo)")
        let all = await harness.run([
            "pull", "-o", harness.home.file("all"), "--all-platforms", "\(registry)/\(repo):v1",
        ])
        #expect(all.stdout.contains("(linux/amd64, linux/arm64/v8)") && all.stdout.contains(seeded.digest))
    }

    @Test func pushCopyAndTags() async throws {
        let registry = try await login()
        let repo = unique("src")
        let seeded = try seed(repo)
        let out = harness.home.file("layout")
        _ = await harness.run(["pull", "\(registry)/\(repo):v1", "-o", out, "--all-platforms"])
        let target = unique("pushed")
        let pushed = await harness.run(["push", "\(out):v1", "\(registry)/\(target):v2"])
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(pushed.stdout.contains(seeded.digest))
        let copied = await harness.run([
            "copy", "\(registry)/\(repo):v1", "\(registry)/\(unique("copied")):v3", "--all-platforms",
        ])
        #expect(copied.status == 0 && copied.stdout.contains("6 mounted"), "\(copied.stdout)\(copied.stderr)")
        let tags = await harness.run(["tags", "\(registry)/\(target)"])
        #expect(tags.stdout == "v2\n")
    }

    @Test(arguments: [
        (["pull", "alpine"], "--output DIR is required"),
        (["pull", "Alpine", "-o", "x"], "must be lower-case"),
        (["pull", "alpine", "-o", "x", "--platform", "linux"], "invalid platform \"linux\""),
        (["pull", "alpine", "-o", "x", "--platform", "linux/amd64", "--all-platforms"], "exclude each other"),
        (["inspect"], "name the image to inspect"),
        (["inspect", "a", "b"], "expected one reference, got 2"),
        (["inspect", "alpine", "--bogus"], "unknown option --bogus"),
        (["push", "dir"], "expected a layout directory and a reference"),
        (["copy", "a"], "expected a source and a destination"),
        (["tags", "alpine@sha256:" + String(repeating: "a", count: 64)], "without a tag or digest"),
        (["tags", "alpine:3.20"], "without a tag or digest"),
    ])
    func usageErrorsExitTwoWithOneLine(arguments: [String], fragment: String) async {
        let result = await harness.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stdout.isEmpty)
    }

    @Test(arguments: ["inspect", "pull", "push", "copy", "tags", "cache"])
    func everyCommandHasHelp(command: String) async {
        let result = await harness.run([command, "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("Usage: ossb-registry \(command)"))
        #expect(result.stdout.contains("Exit status"))
    }

    @Test func failuresExitOneWithOneLineAndNoSecret() async throws {
        let registry = try await login()
        let missing = await harness.run(["inspect", "\(registry)/\(unique("missing")):v1", "--explain"])
        #expect(missing.status == 1)
        let lastLine = missing.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(
            lastLine.hasPrefix("ossb-registry inspect: ") && lastLine.contains("has no such manifest or repository"),
            "\(missing.stderr)")
        #expect(!missing.stderr.contains(TestServers.basic!.password), "explanations never show the password")
        #expect(missing.stderr.contains("ossb: explain:"), "--explain explains")
        let unreachable = await harness.run(["tags", "127.0.0.1:9/x"])
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.split(separator: "\n").count == 1)
        let noLayout = await harness.run(["push", harness.home.file("nope"), "\(registry)/x:v1"])
        #expect(noLayout.status == 1 && noLayout.stderr.contains("is not an OCI image layout"))
    }
}

struct CommandTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

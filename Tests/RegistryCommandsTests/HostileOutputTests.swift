import Foundation
import OSSBTestSupport
import Testing

/// `ossb-registry` in-process against scripts/testbed/hostile-registry.py: what a registry says reaches the
/// terminal inert (no escape sequence, no second line), and a credential the tool sent never comes back out.
@Suite(.enabled(if: TestServers.hostile != nil, "needs scripts/test.sh's hostile registry"))
struct HostileOutputTests {
    let harness = CommandHarness()

    /// Whether `text` holds a C0 or C1 control character other than the line feeds that end its lines.
    func hasControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) }
    }

    func expectOneInertLine(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(
            !hasControl(text), "control characters reached the terminal: \(text.debugDescription)",
            sourceLocation: sourceLocation)
        #expect(
            text.filter { $0 == "\n" }.count == 1, "expected one line: \(text.debugDescription)",
            sourceLocation: sourceLocation)
        #expect(
            !text.split(separator: "\n").contains { $0.hasPrefix("Login Succeeded") }, sourceLocation: sourceLocation)
    }

    @Test func anErrorMessageWithEscapesAndAForgedLineIsPrintedInert() async throws {
        let hostile = try #require(TestServers.hostile)
        let result = await harness.run(["inspect", "\(hostile.registry)/ansi-error:latest"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("manifest unknown"), "\(result.stderr.debugDescription)")
        expectOneInertLine(result.stderr)
    }

    @Test func platformsWithEscapesArePrintedInert() async throws {
        let hostile = try #require(TestServers.hostile)
        let result = await harness.run(["inspect", "\(hostile.registry)/ansi-platform:latest"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Platforms:"), "\(result.stdout)")
        #expect(!hasControl(result.stdout), "\(result.stdout.debugDescription)")
        #expect(!result.stdout.split(separator: "\n").contains { $0.hasPrefix("Login Succeeded") })
    }

    @Test func tagsWithEscapesAreNotPrinted() async throws {
        let hostile = try #require(TestServers.hostile)
        let result = await harness.run(["tags", "\(hostile.registry)/ansi-tags"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "v1\n", "\(result.stdout.debugDescription)")
        #expect(!hasControl(result.stderr), "\(result.stderr.debugDescription)")
        #expect(result.stderr.contains("3"), "the warning counts the dropped tags: \(result.stderr)")
    }

    @Test func loginRefusedWithAnEchoOfTheCredentialsShowsNeither() async throws {
        let hostile = try #require(TestServers.hostile)
        let password = "hunter2-hostile-password"
        let result = await harness.run(["login", hostile.login, "-u", "someone", "--password-stdin"], stdin: password)
        #expect(result.status == 1)
        #expect(result.stderr.contains("denied for"), "\(result.stderr.debugDescription)")
        #expect(!result.stderr.contains(password), "the password leaked: \(result.stderr)")
        let basic = Data("someone:\(password)".utf8).base64EncodedString()
        #expect(!result.stderr.contains(basic), "the Authorization header leaked: \(result.stderr)")
        expectOneInertLine(result.stderr)
        #expect(!result.stdout.contains("Login Succeeded"))
    }

    @Test func anErrorEchoingTheBearerTokenDoesNotShowIt() async throws {
        let hostile = try #require(TestServers.hostile)
        let result = await harness.run(["inspect", "\(hostile.registry)/token-echo:latest"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("DENIED"), "\(result.stderr)")
        #expect(!result.stderr.contains("echo-token-0123456789abcdef"), "the token leaked: \(result.stderr)")
    }

    @Test func pullOfAnIndexEntryThatIsATagFails() async throws {
        let hostile = try #require(TestServers.hostile)
        let out = harness.home.file("tag-entry")
        let result = await harness.run([
            "pull", "\(hostile.registry)/tag-entry:latest", "-o", out, "--platform", "linux/amd64",
        ])
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stderr.contains("mutable"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(out)/index.json"))
    }
}

import AuthCore
import Foundation
import OSSBTestSupport
import Testing

/// The built `ossb-registry` on a pseudo-terminal (scripts/testbed/pty-run.py), as a user sees it: progress
/// bars that fit the window and notes while a request is retried.
@Suite(
    .enabled(
        if: TestServers.basic != nil && TestServers.environment["OSSB_TEST_FAULT_PROXY"] != nil,
        "needs scripts/test.sh's registry and fault proxy"))
struct TerminalOutputTests {
    let home = TemporaryDirectory()
    var command: String { "\(TestProcess.productsDirectory)/ossb-registry" }

    /// HOME, PATH and the test registry's credentials for it and for the proxy in front of it.
    func environment() throws -> [String: String] {
        let bed = try #require(TestServers.basic)
        let proxy = try #require(TestServers.environment["OSSB_TEST_FAULT_PROXY"])
        var variables = ["HOME": home.path, "PATH": "/usr/bin:/bin", "TERM": "xterm"]
        for host in [bed.address, proxy] {
            let prefix = "OSSB_" + EnvironmentStore.prefix(forHost: host)
            variables["\(prefix)_USERNAME"] = bed.user
            variables["\(prefix)_PASSWORD"] = bed.password
        }
        return variables
    }

    /// What a terminal of that output shows, line by line: escape sequences dropped, carriage returns and
    /// newlines both ending a line.
    static func visibleLines(_ raw: String) -> [String] {
        let plain = raw.replacingOccurrences(of: "\u{1B}\\[[0-9;]*[A-Za-z]", with: "", options: .regularExpression)
        return plain.components(separatedBy: CharacterSet(charactersIn: "\r\n")).filter { !$0.isEmpty }
    }

    @Test func pushOnANarrowTerminalFitsAndNotesRetries() throws {
        let bed = try #require(TestServers.basic)
        let proxy = try #require(TestServers.environment["OSSB_TEST_FAULT_PROXY"])
        let repo = "tty/push-\(UUID().uuidString.prefix(8).lowercased())"
        let seeded = try TestProcess.run(
            "/usr/bin/env",
            [
                "python3", "\(SourceTree.root)/scripts/testbed/seed-image.py", "--registry", bed.address, "--user",
                bed.user,
                "--password", bed.password, "--repo", repo, "--tag", "v1", "--layer-mib", "4", "--layers", "1",
            ], environment: ["PATH": "/usr/bin:/bin"])
        #expect(seeded.status == 0, "\(seeded)")
        let env = try environment()
        let layout = home.file("layout")
        let pulled = try TestProcess.run(
            command, ["pull", "\(bed.address)/\(repo):v1", "-o", layout], environment: env)
        #expect(pulled.status == 0, "\(pulled)")
        let target = "\(repo)-dst"
        let faults = try TestProcess.run(
            "/usr/bin/curl",
            [
                "-s", "-X", "PUT", "--data-binary",
                #"[{"match": "/\#(target)/manifests/", "method": "PUT", "count": 2, "status": 503}]"#,
                "http://\(proxy)/__faults",
            ], environment: ["PATH": "/usr/bin:/bin"])
        #expect(faults.status == 0, "\(faults)")

        let columns = 50
        let pushed = try Terminal.run(
            [command, "push", layout, "\(proxy)/\(target):v1"], environment: env, steps: [], stdoutOnTerminal: true,
            columns: columns, timeout: 120)
        #expect(pushed.status == 0, "\(pushed)")
        let lines = Self.visibleLines(pushed.terminal)
        #expect(lines.contains { $0.contains("answered 503; retrying in") && $0.contains("attempt 2 of") }, "\(lines)")
        let bars = lines.filter { $0.contains("uploading") || $0.contains("done") }
        #expect(!bars.isEmpty, "\(lines)")
        for bar in bars { #expect(bar.count < columns, "\(bar.count) characters: \(bar)") }
        #expect(lines.last?.hasPrefix("Pushed") == true, "\(lines)")
    }

    @Test func aCommandWithoutBarsStillNotesRetries() throws {
        let env = try environment()
        let proxy = try #require(TestServers.environment["OSSB_TEST_FAULT_PROXY"])
        let repo = "tty/quiet-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try TestProcess.run(
            "/usr/bin/curl",
            [
                "-s", "-X", "PUT", "--data-binary", #"[{"match": "/\#(repo)/tags/", "count": 1, "status": 503}]"#,
                "http://\(proxy)/__faults",
            ], environment: ["PATH": "/usr/bin:/bin"])
        let listed = try Terminal.run(
            [command, "tags", "\(proxy)/\(repo)"], environment: env, steps: [], stdoutOnTerminal: true)
        // tags has no bars but notes the retry on a terminal; the repository does not exist.
        #expect(Self.visibleLines(listed.terminal).contains { $0.contains("answered 503; retrying in") }, "\(listed)")
    }
}

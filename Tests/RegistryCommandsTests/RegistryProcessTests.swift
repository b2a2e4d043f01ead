import AuthCore
import Foundation
import OSSBTestSupport
import Testing

/// The built `ossb-registry` run as users run it: a process with real streams, exit statuses as a shell sees
/// them, a pseudo-terminal for the password prompt and progress bars, Ctrl-C.
@Suite struct RegistryProcessTests {
    static let binary = TestProcess.productsDirectory + "/ossb-registry"
    let home = TemporaryDirectory()

    var environment: [String: String] {
        [
            "HOME": home.path, "PATH": "/usr/bin:/bin", "OSSB_CREDENTIALS_FILE": home.file("credentials.json"),
            "OSSB_CACHE_DIR": home.file("cache"), "OSSB_CERTS_D": home.file("certs.d"),
        ]
    }

    /// The environment with credentials for `host` in the environment store.
    func environment(withCredentialsFor host: String, user: String, password: String) -> [String: String] {
        var variables = environment
        let prefix = "OSSB_" + EnvironmentStore.prefix(forHost: host)
        variables["\(prefix)_USERNAME"] = user
        variables["\(prefix)_PASSWORD"] = password
        return variables
    }

    /// Runs the binary with `stdin` (through sh, as a pipe from another program).
    func run(_ arguments: [String], stdin: String = "", environment extra: [String: String]? = nil) throws
        -> TestProcess.Result
    {
        var variables = extra ?? environment
        variables["OSSB_TEST_STDIN"] = stdin
        return try TestProcess.run(
            "/bin/sh", ["-c", #"printf %s "$OSSB_TEST_STDIN" | exec "$0" "$@""#, Self.binary] + arguments,
            environment: variables)
    }

    /// Pushes a generated one-layer image to the Basic-auth registry.
    func seed(_ repo: String, layerMiB: Int) throws {
        let registry = try #require(TestServers.basic)
        let result = try TestProcess.run(
            "/usr/bin/env",
            [
                "python3", "\(SourceTree.root)/scripts/testbed/seed-image.py", "--registry", registry.address, "--user",
                registry.user,
                "--password", registry.password, "--repo", repo, "--tag", "v1", "--layers", "1", "--layer-mib",
                "\(layerMiB)",
            ], environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 0, "seed-image.py: \(result)")
    }

    /// Seeds a one-layer image (4 MiB unless told) whose next `count` blob downloads through the fault proxy
    /// pause for `seconds` after their first MiB; returns the repository.
    func seedStalling(_ name: String, count: Int, seconds: Int, layerMiB: Int = 4) throws -> String {
        let proxy = try #require(TestServers.faultProxy)
        let repo = unique(name)
        try seed(repo, layerMiB: layerMiB)
        let rules =
            #"[{"match": "/\#(repo)/blobs/", "method": "GET", "count": \#(count), "stall_after": 1048576, "stall_seconds": \#(seconds)}]"#
        _ = try TestProcess.run(
            "/usr/bin/curl", ["-s", "-X", "PUT", "--data-binary", rules, "http://\(proxy)/__faults"], environment: [:])
        return repo
    }

    /// Runs `ossb-registry ARGUMENTS` on a terminal, presses Ctrl-C once its progress bar shows a transfer that
    /// stalls (`seedStalling`), and checks that it exited at once with status 130 and printed nothing on stdout.
    func interruptMidTransfer(
        _ arguments: [String], environment: [String: String], layerMiB: Int = 4
    ) throws -> Terminal.Result {
        let result = try Terminal.run(
            [Self.binary] + arguments, environment: environment,
            steps: [.expect("/\(layerMiB).0 MiB"), .sleep(1), .send("\u{3}")], timeout: 25)
        #expect(result.failed == nil, "\(result)")
        #expect(result.status == 130, "\(result)")
        #expect(
            result.secondsAfterSteps < 5, "exits promptly (the transfer stalls for 30 s): \(result.secondsAfterSteps) s"
        )
        #expect(result.stdout.isEmpty)
        return result
    }

    /// Partial downloads and temporary files anywhere under `directory`.
    func partialFiles(under directory: String) -> [String] {
        FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String }.filter {
            $0.hasSuffix(".partial") || $0.hasSuffix(".tmp")
        } ?? []
    }

    func unique(_ name: String) -> String { "process/\(name)-\(UUID().uuidString.prefix(8).lowercased())" }

    @Test func exitStatusesAsAShellSeesThem() throws {
        let version = try run(["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("ossb-registry ") && version.stderr.isEmpty)
        for usage in [[], ["frobnicate"], ["pull", "alpine"], ["login", "127.0.0.1:5000", "--password-stdin"]] {
            let result = try run(usage)
            #expect(result.status == 2, "\(usage): \(result)")
            #expect(result.stdout.isEmpty, "\(usage)")
            if !usage.isEmpty {
                #expect(
                    result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("--help"),
                    "\(usage): \(result)")
            }
        }
        // No terminal and no --password-stdin: a usage error, not a hang on a prompt.
        let noTerminal = try run(["login", "127.0.0.1:5000", "-u", "alice"])
        #expect(noTerminal.status == 2, "\(noTerminal)")
        let unreachable = try run(["inspect", "127.0.0.1:1/nothing:v1"])
        #expect(unreachable.status == 1, "\(unreachable)")
        #expect(
            unreachable.stderr.hasPrefix("ossb-registry inspect: ")
                && unreachable.stderr.split(separator: "\n").count == 1)
    }

    @Test(.enabled(if: TestServers.basic != nil, "needs scripts/test.sh's registry"))
    func passwordPromptOnATerminalDoesNotEcho() throws {
        let registry = try #require(TestServers.basic)
        let result = try Terminal.run(
            [Self.binary, "login", registry.address, "-u", registry.user], environment: environment,
            steps: [.expect("Password: "), .echo("prompt"), .send(registry.password + "\n")])
        #expect(result.status == 0 && result.stdout == "Login Succeeded\n", "\(result)")
        #expect(result.echo["prompt"] == false, "echo is off as soon as the prompt shows")
        #expect(result.echo["after_exit"] == true, "echo is back afterwards")
        #expect(!result.terminal.contains(registry.password) && !result.stdout.contains(registry.password))
        #expect(try String(contentsOfFile: home.file("credentials.json"), encoding: .utf8).contains(registry.address))
    }

    @Test(.enabled(if: TestServers.basic != nil, "needs scripts/test.sh's registry"))
    func ctrlCAtThePasswordPromptGivesTheEchoBack() throws {
        let registry = try #require(TestServers.basic)
        let result = try Terminal.run(
            [Self.binary, "login", registry.address, "-u", registry.user], environment: environment,
            steps: [.expect("Password: "), .send("half-typed\u{3}")], timeout: 20)
        #expect(result.status == 130, "\(result)")
        #expect(result.secondsAfterSteps < 5, "\(result)")
        #expect(result.echo["after_exit"] == true, "a terminal left without echo after Ctrl-C")
        #expect(!FileManager.default.fileExists(atPath: home.file("credentials.json")))
    }

    @Test(.enabled(if: TestServers.basic != nil, "needs scripts/test.sh's registry"))
    func progressBarsOnATerminalOnly() throws {
        let registry = try #require(TestServers.basic)
        let repo = unique("progress")
        try seed(repo, layerMiB: 1)
        let env = environment(withCredentialsFor: registry.address, user: registry.user, password: registry.password)
        let shown = try Terminal.run(
            [Self.binary, "pull", "\(registry.address)/\(repo):v1", "-o", home.file("a")], environment: env, steps: [])
        #expect(shown.status == 0 && shown.stdout.hasPrefix("Pulled "), "\(shown)")
        #expect(
            shown.terminal.contains("1.0 MiB/1.0 MiB  done"),
            "a finished bar for the layer: \(shown.terminal.debugDescription)")
        #expect(shown.terminal.contains("\u{1B}[2K"), "bars are redrawn in place")
        // --quiet on a terminal, and no terminal at all: no bars.
        let quiet = try Terminal.run(
            [Self.binary, "pull", "\(registry.address)/\(repo):v1", "-o", home.file("b"), "--quiet"], environment: env,
            steps: [])
        #expect(quiet.status == 0 && quiet.terminal.isEmpty, "\(quiet)")
        let piped = try run(["pull", "\(registry.address)/\(repo):v1", "-o", home.file("c")], environment: env)
        #expect(piped.status == 0 && piped.stderr.isEmpty, "\(piped)")
    }

    @Test(
        .enabled(
            if: TestServers.basic != nil && TestServers.faultProxy != nil,
            "needs scripts/test.sh's registry and fault proxy"),
        // 17 MiB: a layer hashed on its own thread (`TrailingHasher`), waiting for bytes when the signal comes;
        // also with `--no-cache`, downloading beside its name in the layout.
        arguments: [(4, false), (17, false), (17, true)])
    func ctrlCMidPullExitsPromptlyLeavingNothingPartial(layerMiB: Int, noCache: Bool) throws {
        let registry = try #require(TestServers.basic)
        let proxy = try #require(TestServers.faultProxy)
        // The layer stalls after 1 MiB for longer than the test waits.
        let repo = try seedStalling("sigint", count: 10, seconds: 30, layerMiB: layerMiB)
        let output = home.file("layout")
        let result = try interruptMidTransfer(
            ["pull", "\(proxy)/\(repo):v1", "-o", output] + (noCache ? ["--no-cache"] : []),
            environment: environment(withCredentialsFor: proxy, user: registry.user, password: registry.password),
            layerMiB: layerMiB)
        #expect(result.echo["after_exit"] == true)
        // No index.json (the mark of a complete layout), and no partial download anywhere.
        #expect(!FileManager.default.fileExists(atPath: "\(output)/index.json"))
        #expect(partialFiles(under: home.path).isEmpty, "\(partialFiles(under: home.path))")
    }

    @Test(
        .enabled(
            if: TestServers.basic != nil && TestServers.faultProxy != nil,
            "needs scripts/test.sh's registry and fault proxy"))
    func twoPullsSharingOneCacheAtOnceBothComplete() throws {
        let registry = try #require(TestServers.basic)
        let proxy = try #require(TestServers.faultProxy)
        // Each download of the layer pauses after 1 MiB, so the two processes are surely downloading it together.
        let repo = try seedStalling("shared-cache", count: 4, seconds: 1)
        let env = environment(withCredentialsFor: proxy, user: registry.user, password: registry.password)
        let pulls = try ["one", "two"].map { name in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = ["pull", "\(proxy)/\(repo):v1", "-o", home.file(name)]
            process.environment = env
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        for process in pulls { process.waitUntilExit() }
        #expect(pulls.map(\.terminationStatus) == [0, 0])
        let indexes = try ["one", "two"].map {
            try String(contentsOfFile: home.file("\($0)/index.json"), encoding: .utf8)
        }
        #expect(indexes[0] == indexes[1] && indexes[0].contains("sha256:"))
        let blobs = try FileManager.default.contentsOfDirectory(atPath: home.file("cache/blobs/sha256"))
        #expect(blobs.count == 2, "config and layer, once each: \(blobs)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: home.file("cache/tmp"))) ?? []).isEmpty)
        // Both layouts' layers verify.
        for name in ["one", "two"] {
            for blob in try FileManager.default.contentsOfDirectory(atPath: home.file("\(name)/blobs/sha256")) {
                let sum = try TestProcess.run(
                    "/usr/bin/sha256sum", [home.file("\(name)/blobs/sha256/\(blob)")], environment: [:])
                #expect(sum.stdout.hasPrefix(blob), "\(name)/\(blob)")
            }
        }
        let stalled = try TestProcess.run("/usr/bin/curl", ["-s", "http://\(proxy)/__stats"], environment: [:])
        #expect(
            stalled.stdout.components(separatedBy: "/\(repo)/blobs/").count - 1 >= 4, "both processes fetched the blobs"
        )
    }

    @Test(
        .enabled(
            if: TestServers.basic != nil && getuid() == 0,
            "needs scripts/test.sh's registry, and root to mount a small tmpfs"))
    func pullOntoAFullDiskFailsInOneLineLeavingNothingPartial() throws {
        let registry = try #require(TestServers.basic)
        let repo = unique("full-disk")
        try seed(repo, layerMiB: 1)
        // The blob cache and the layout on a 256 KiB tmpfs: the 1 MiB layer cannot fit.
        let disk = home.file("disk")
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        let mounted = try TestProcess.run(
            "/bin/mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", disk], environment: [:])
        try #require(mounted.status == 0, "\(mounted)")
        defer { _ = try? TestProcess.run("/bin/umount", [disk], environment: [:]) }
        var env = environment(withCredentialsFor: registry.address, user: registry.user, password: registry.password)
        env["OSSB_CACHE_DIR"] = disk + "/cache"
        let result = try run(["pull", "\(registry.address)/\(repo):v1", "-o", disk + "/layout"], environment: env)
        #expect(result.status == 1, "\(result)")
        #expect(
            result.stderr.hasPrefix("ossb-registry pull: ") && result.stderr.split(separator: "\n").count == 1,
            "\(result)")
        #expect(result.stderr.contains("No space left on device"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: disk + "/layout/index.json"))
        #expect(partialFiles(under: disk).isEmpty, "\(partialFiles(under: disk))")
    }

    @Test(.enabled(if: TestServers.tls != nil, "needs scripts/test.sh's TLS registry"))
    func insecureSkipsVerificationForThatRegistryOnly() throws {
        let tls = try #require(TestServers.tls)
        // The registry wants a client certificate (given in certs.d), but its CA is not trusted here.
        let certs = home.file("certs.d/\(tls.address)")
        try FileManager.default.createDirectory(atPath: certs, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: tls.clientCert, toPath: "\(certs)/client.cert")
        try FileManager.default.copyItem(atPath: tls.clientKey, toPath: "\(certs)/client.key")
        let refused = try run(["login", tls.address, "-u", "alice", "--password-stdin"], stdin: "pw")
        #expect(refused.status == 1, "\(refused)")
        #expect(
            refused.stderr.contains("TLS with https://\(tls.address)") && refused.stderr.contains("ca.crt"),
            "\(refused)")
        let accepted = try run(["login", tls.address, "-u", "alice", "--password-stdin", "--insecure"], stdin: "pw")
        #expect(accepted.status == 0 && accepted.stdout == "Login Succeeded\n", "\(accepted)")
    }
}

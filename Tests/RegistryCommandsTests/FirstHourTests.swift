import AuthCore
import Foundation
import Glibc
import HTTPTransport
import OSSBTestSupport
import Testing

/// What a new user meets first, through `ossb-registry` in-process against the real Basic-auth registry: the
/// hint for a plain-http registry, an unresponsive registry failing fast, a broken docker config.json, and
/// "not found" naming the full reference.
@Suite(.enabled(if: TestServers.basic != nil, "needs scripts/test.sh's registry"))
struct FirstHourTests {
    let harness = CommandHarness()

    func lastLine(_ text: String) -> String {
        text.split(separator: "\n").last.map(String.init) ?? ""
    }

    @Test func httpsToAPlainHTTPRegistryNamesInsecure() async throws {
        let registry = try #require(TestServers.basic).address
        let port = registry.split(separator: ":").last!
        // A name that is not loopback, so https is required, reaching the plain-http registry.
        let name = "registry.test:\(port)"
        let resolve = ["\(name):127.0.0.1"]
        let refused = await harness.run(["inspect", "\(name)/first/tls:v1"], resolve: resolve)
        #expect(refused.status == 1)
        let line = lastLine(refused.stderr)
        #expect(line.contains("likely speaks plain http"), "\(refused.stderr)")
        #expect(line.contains("--insecure") && line.contains("\"insecure\" in registry.json"), "\(line)")
        #expect(!line.contains("certs.d"), "no advice about CAs for a registry that has no TLS at all")
        // With --insecure the same registry is reached: it asks for a login.
        let allowed = await harness.run(["inspect", "--insecure", "\(name)/first/tls:v1"], resolve: resolve)
        #expect(allowed.status == 1)
        #expect(lastLine(allowed.stderr).contains("requires authentication"), "\(allowed.stderr)")
    }

    /// A listening socket that nobody accepts from answers nothing; once its queue is full, it does not even
    /// complete connections.
    @Test(arguments: [false, true])
    func anUnresponsiveRegistryFailsInSeconds(queueFull: Bool) throws {
        let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(server) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(bound == 0)
        #expect(listen(server, 0) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(server, $0, &length) }
        }
        let port = UInt16(bigEndian: address.sin_port)
        var fillers: [Int32] = []
        defer { for filler in fillers { close(filler) } }
        if queueFull {
            for _ in 0..<3 {
                let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
                _ = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                fillers.append(client)
            }
            usleep(200_000)
        }
        // The built program as a process: its time is its own. In-process, a full run's busy thread pool (2 threads
        // on 2 cores, tests blocking them on child processes) was seen making this 10 s command take 33 s.
        let (result, elapsed) = try timedRun(["inspect", "127.0.0.1:\(port)/silent/registry:v1"])
        #expect(result.status == 1)
        // The first request gives up after 10 s; the rest is room for a loaded machine.
        #expect(elapsed < 30, "failed after \(elapsed) s")
        let line = lastLine(result.stderr)
        #expect(line.contains("no answer from") && line.contains("127.0.0.1:\(port)"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")

        let (login, loginElapsed) = try timedRun(
            ["login", "127.0.0.1:\(port)", "-u", "someone", "--password-stdin"], stdin: "pw")
        #expect(login.status == 1)
        #expect(loginElapsed < 30, "failed after \(loginElapsed) s")
        #expect(lastLine(login.stderr).contains("no answer from"), "\(login.stderr)")
    }

    /// Runs the built `ossb-registry` with the harness's HOME and files and `stdin` on its standard input; returns
    /// what it printed and how long it ran.
    func timedRun(_ arguments: [String], stdin: String = "") throws -> (TestProcess.Result, Double) {
        let started = Date()
        let result = try TestProcess.run(
            "/bin/sh",
            [
                "-c", #"input=$1; shift; printf %s "$input" | "$@""#, "sh", stdin,
                TestProcess.productsDirectory + "/ossb-registry",
            ] + arguments,
            environment: [
                "HOME": harness.home.path, "PATH": "/usr/bin:/bin", "OSSB_CREDENTIALS_FILE": harness.credentialsFile,
                "OSSB_CERTS_D": harness.home.file("certs.d"),
            ])
        return (result, Date().timeIntervalSince(started))
    }

    @Test func aBrokenDockerConfigWarnsOnceAndTheRequestGoesOn() async throws {
        let registry = try #require(TestServers.basic).address
        try harness.home.write(".docker/config.json", "{\"auths\": {")
        let result = await harness.run(["inspect", "\(registry)/first/broken-config:v1"])
        #expect(result.status == 1)
        let warnings = result.stderr.split(separator: "\n").filter { $0.contains("warning") }
        #expect(warnings.count == 1, "\(result.stderr)")
        #expect(warnings.first?.contains(harness.home.file(".docker/config.json")) == true, "\(result.stderr)")
        // The registry was asked anonymously; this one needs a login, and says so.
        #expect(lastLine(result.stderr).contains("requires authentication"), "\(result.stderr)")
    }

    /// The token registry lets anyone pull under `public/`: a broken config.json must not stand in the way.
    @Test(.enabled(if: TestServers.token != nil, "needs scripts/test.sh's token registry"))
    func anAnonymousPullWorksDespiteABrokenDockerConfig() async throws {
        let bed = try #require(TestServers.token)
        let repository = "public/first-\(UUID().uuidString.lowercased().prefix(8))"
        let pusher = RegistryAuthenticator(
            registry: HTTPOrigin(URL(string: "http://\(bed.registry)/")!)!,
            credentials: Credentials(username: bed.user, password: bed.password), client: CurlHTTPClient(),
            allowPlainHTTP: true)
        try await RegistrySeeder(auth: pusher, registry: bed.registry).pushImage(repository, tag: "v1")
        try harness.home.write(".docker/config.json", "{\"auths\": {")
        let pulled = await harness.run(["pull", "\(bed.registry)/\(repository):v1", "-o", harness.home.file("layout")])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        let warnings = pulled.stderr.split(separator: "\n").filter { $0.contains("warning") }
        #expect(
            warnings.count == 1 && warnings[0].contains(harness.home.file(".docker/config.json")), "\(pulled.stderr)")
        #expect(harness.home.exists("layout/index.json"))
    }

    @Test func notFoundNamesTheResolvedReference() async throws {
        let bed = try #require(TestServers.basic)
        let login = await harness.run(["login", bed.address, "-u", bed.user, "--password-stdin"], stdin: bed.password)
        #expect(login.status == 0, "\(login.stderr)")
        try harness.home.write(".ossb/registry.json", #"{"default_registry": "\#(bed.address)"}"#)
        let missing = await harness.run(["inspect", "first/missing:3.20"])
        #expect(missing.status == 1)
        #expect(lastLine(missing.stderr).contains("\(bed.address)/first/missing:3.20 not found"), "\(missing.stderr)")
    }
}

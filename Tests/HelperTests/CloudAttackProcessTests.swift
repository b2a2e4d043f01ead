import Foundation
import OSSBTestSupport
import Testing

/// Attacks on the cloud helpers from the outside, each run as docker runs a helper: look-alike registry names,
/// a token endpoint that echoes secrets, answers absurd lifetimes, control characters, huge, slow or redirected
/// answers (scripts/testbed/hostile-cloud.py), a token cache tampered with or a clock set back, a crash.
@Suite(.enabled(if: TestProcess.which("python3") != nil, "needs python3 for scripts/testbed/hostile-cloud.py"))
struct CloudAttackProcessTests {
    /// Whether scripts/test.sh started the hostile cloud bed.
    static let hostileServerWorks = HostileCloud.address != nil

    static let ecrRegistry = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    static let clientSecret = "CLIENT-SECRET-4f1d9a"
    static let refreshToken = "REFRESH-TOKEN-8c2e7b"
    let home = TemporaryDirectory()

    /// Google's helper with an `authorized_user` file whose token_uri is `uri`.
    func google(_ uri: String, extra: [String: String] = [:]) throws -> [String: String] {
        try home.write(
            "adc.json",
            #"{"type":"authorized_user","client_id":"client-1","client_secret":"\#(Self.clientSecret)","refresh_token":"\#(Self.refreshToken)","token_uri":"\#(uri)"}"#
        )
        return ["HOME": home.path, "GOOGLE_APPLICATION_CREDENTIALS": home.file("adc.json"), "OSSB_EXPLAIN": "1"]
            .merging(extra) { _, new in new }
    }

    /// ECR's helper with keys (and a session token) and its ECR endpoint at `endpoint`.
    func aws(_ endpoint: String) -> [String: String] {
        [
            "HOME": home.path, "AWS_ACCESS_KEY_ID": "AKIAATTACK", "AWS_SECRET_ACCESS_KEY": "SECRET-KEY-71b3c0",
            "AWS_SESSION_TOKEN": "SESSION-TOKEN-0d9e44", "AWS_ENDPOINT_URL_ECR": endpoint,
            "AWS_EC2_METADATA_DISABLED": "true", "OSSB_EXPLAIN": "1",
        ]
    }

    /// The Google and the ECR helper, each with its registry and an environment that sends it to the hostile
    /// server's `mode` (Google's token endpoint is `mode/token`).
    func bothClouds(_ server: HostileCloud, _ mode: String) throws -> [(String, String, [String: String])] {
        [
            ("gcr", "gcr.io", try google("\(server.base)/\(mode)/token")),
            ("ecr", Self.ecrRegistry, aws("\(server.base)/\(mode)")),
        ]
    }

    /// Runs `docker-credential-ossb-HELPER get` (the front, `docker-credential-ossb`, for "") for `host`.
    func get(_ helper: String, _ host: String, _ environment: [String: String]) throws -> ChildProcess.Result {
        try ChildProcess.run(
            ChildProcess.product("docker-credential-ossb" + (helper.isEmpty ? "" : "-\(helper)")), ["get"],
            stdin: Array((host + "\n").utf8), environment: environment)
    }

    /// The cache files' entries, as written.
    func cachedEntries() throws -> [[String: Any]] {
        let directory = home.file(".ossb/tokens")
        // The registries' files, not their locks.
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
            $0.hasSuffix(".json")
        }
        return try names.flatMap { name -> [[String: Any]] in
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)"))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            return object["entries"] as? [[String: Any]] ?? []
        }
    }

    static func expectNoSecret(_ result: ChildProcess.Result, _ secrets: [String], _ comment: String) {
        for secret in secrets {
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret), "\(comment): \(result)")
        }
    }

    // MARK: Look-alike hosts

    static let lookAlikes: [(helper: String, host: String)] = [
        ("ecr", "\(ecrRegistry):@evil.example"), ("ecr", "\(ecrRegistry):443@evil.example"),
        ("ecr", "\(ecrRegistry):evil"), ("ecr", "\(ecrRegistry).evil.example"), ("ecr", "evil.example/\(ecrRegistry)"),
        ("ecr", "user@\(ecrRegistry)"), ("ecr", "\(ecrRegistry)."), ("ecr", "https://\(ecrRegistry).evil.example/v2/"),
        ("ecr", "123456789012.d\u{212A}r.ecr.us-east-1.amazonaws.com"), ("ecr", "\(ecrRegistry):99999999"),
        ("gcr", "evil-docker.p\u{212A}g.dev"), ("gcr", "gcr.io.evil"), ("gcr", "xgcr.io"), ("gcr", "gcr.io."),
        ("gcr", "gcr.io:@evil.example"), ("gcr", "evil-docker.pkg.dev.example"), ("gcr", "g\u{0441}r.io"),
        ("gcr", "us.gcr.io:443@evil.example"), ("gcr", "127.0.0.1"),
        ("gcr", "\(String(repeating: "a", count: 300))-docker.pkg.dev"),
        ("acr", "x.azurecr.io.evil"), ("acr", "xazurecr.io"), ("acr", "x.azurecr.io:@evil.example"),
        ("acr", "x.azurecr.io:8443@evil.example"), ("acr", "x.\u{212A}zurecr.io"),
    ]

    /// A name that only looks like a cloud's registry never gets a token: the helper answers as for any foreign
    /// host (before, `…amazonaws.com:@evil.example` was ECR's registry and the Kelvin sign in `p\u{212A}g.dev`
    /// lower-cased into Google's `pkg.dev`), and the front never routes it to a cloud helper.
    @Test(
        .enabled(if: hostileServerWorks, "needs scripts/test.sh's hostile cloud bed (OSSB_TEST_HOSTILE_CLOUD)"),
        arguments: lookAlikes.indices)
    func lookAlikeHostsGetNoCloudToken(_ index: Int) throws {
        let (helper, host) = Self.lookAlikes[index]
        let server = try HostileCloud()
        var environment = aws("\(server.base)/expires-far")
        environment.merge(try google("\(server.base)/expires-far/token")) { _, new in new }
        let result = try get(helper, host, environment)
        #expect(result.stdout == "credentials not found in native keychain\n", "\(host.debugDescription): \(result)")
        #expect(!result.stderr.contains("\u{1B}"))

        let front = try get("", host, environment)
        #expect(front.status == 1, "\(host.debugDescription): \(front)")
        #expect(!front.stdout.contains("hostile-token") && !front.stderr.contains("hostile-token"))
    }

    // MARK: A hostile token endpoint

    /// An endpoint that quotes the request (body and headers) in its error never gets a secret into the error
    /// line: client secrets, refresh tokens, session tokens and federated assertions are redacted.
    @Test(.enabled(if: hostileServerWorks, "needs scripts/test.sh's hostile cloud bed (OSSB_TEST_HOSTILE_CLOUD)"))
    func anEchoingEndpointLeaksNoSecret()
        throws
    {
        let server = try HostileCloud()
        let google = try get("gcr", "gcr.io", try google("\(server.base)/echo/token"))
        #expect(google.status == 1 && google.stdout.contains("answered 400"), "\(google)")
        #expect(google.stdout.split(separator: "\n").count == 1)
        Self.expectNoSecret(google, [Self.clientSecret, Self.refreshToken], "Google")

        let ecr = try get("ecr", Self.ecrRegistry, aws("\(server.base)/echo"))
        #expect(ecr.status == 1 && ecr.stdout.contains("answered 400"), "\(ecr)")
        Self.expectNoSecret(ecr, ["SESSION-TOKEN-0d9e44", "SECRET-KEY-71b3c0"], "ECR")

        let azure = try get(
            "acr", "myreg.azurecr.io",
            [
                "HOME": home.path, "AZURE_CLIENT_ID": "client-2", "AZURE_TENANT_ID": "tenant-2",
                "AZURE_CLIENT_SECRET": "AZURE~SECRET+5e/7=", "AZURE_AUTHORITY_HOST": "\(server.base)/echo",
            ])
        #expect(azure.status == 1 && azure.stdout.contains("answered 400"), "\(azure)")
        // The form carries it percent-encoded; either spelling is redacted.
        Self.expectNoSecret(azure, ["AZURE~SECRET+5e/7=", "AZURE~SECRET%2B5e%2F7%3D", "AZURE~SECRET"], "Azure")

        try home.write("federated", "FEDERATED-ASSERTION-3a8f")
        let workload = try get(
            "acr", "myreg.azurecr.io",
            [
                "HOME": home.path, "AZURE_CLIENT_ID": "client-3", "AZURE_TENANT_ID": "tenant-3",
                "AZURE_FEDERATED_TOKEN_FILE": home.file("federated"), "AZURE_AUTHORITY_HOST": "\(server.base)/echo",
            ])
        #expect(workload.status == 1, "\(workload)")
        Self.expectNoSecret(workload, ["FEDERATED-ASSERTION-3a8f"], "Azure workload identity")
    }

    /// Lifetimes of 1e300 s or 2^63-1 s crashed the minting program (a trap in the conversion or the addition);
    /// ten years was cached for ten years. Now none crashes and nothing is kept beyond 12 hours.
    @Test(
        .enabled(if: hostileServerWorks, "needs scripts/test.sh's hostile cloud bed (OSSB_TEST_HOSTILE_CLOUD)"),
        arguments: ["expires-huge", "expires-max", "expires-far", "expires-negative"])
    func absurdLifetimesNeitherCrashNorLinger(_ mode: String) throws {
        let server = try HostileCloud()
        for (helper, host, environment) in try bothClouds(server, mode) {
            let result = try get(helper, host, environment)
            #expect(result.status == 0, "\(helper) \(mode): \(result)")
            #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("crashed"))
            let now = Date().timeIntervalSince1970
            for entry in try cachedEntries() {
                let expiry = try #require(entry["expiresAt"] as? Double)
                #expect(expiry <= now + 12 * 3600 + 5, "\(helper) \(mode): cached until \(expiry)")
            }
        }
    }

    /// A token holding an escape sequence, CR and LF is refused in one line: it would drive a terminal or add
    /// header lines to the registry request. Before, it was handed out and cached.
    @Test(.enabled(if: hostileServerWorks, "needs scripts/test.sh's hostile cloud bed (OSSB_TEST_HOSTILE_CLOUD)"))
    func aTokenWithControlCharactersIsRefused() throws {
        let server = try HostileCloud()
        for (helper, host, environment) in try bothClouds(server, "control") {
            let result = try get(helper, host, environment)
            #expect(result.status == 1, "\(helper): \(result)")
            #expect(result.stdout.contains("not a token a registry accepts"), "\(helper): \(result)")
            #expect(result.stdout.split(separator: "\n").count == 1)
            for text in [result.stdout, result.stderr] {
                #expect(!text.contains("\u{1B}") && !text.contains("\u{07}") && !text.contains("X-Injected"))
            }
        }
        #expect(try cachedEntries().isEmpty)
    }

    /// A huge, non-JSON or redirected answer is one line; the redirect does not carry the form's secrets to the
    /// other host; an unresponsive metadata server is given up on within seconds.
    @Test(.enabled(if: hostileServerWorks, "needs scripts/test.sh's hostile cloud bed (OSSB_TEST_HOSTILE_CLOUD)"))
    func hugeHtmlRedirectedAndSlowAnswersAreOneLine() throws {
        let server = try HostileCloud()
        for mode in ["huge", "html", "redirect"] {
            let result = try get("gcr", "gcr.io", try google("\(server.base)/\(mode)/token"))
            #expect(result.status == 1 && result.stdout.split(separator: "\n").count == 1, "\(mode): \(result)")
            Self.expectNoSecret(result, [Self.clientSecret, Self.refreshToken], "\(mode)")
        }
        let log = try server.secondHostLog()
        #expect(!log.contains(Self.clientSecret) && !log.contains(Self.refreshToken), "\(log)")

        let started = Date()
        let slow = try get(
            "gcr", "gcr.io", ["HOME": home.path, "GCE_METADATA_HOST": "127.0.0.1:\(server.port)"])
        #expect(slow.status == 1 && slow.stdout.hasPrefix("no Google Cloud credentials"), "\(slow)")
        #expect(Date().timeIntervalSince(started) < 15)
    }

    // MARK: The token cache

    /// A clock set back after a token was cached must not stretch its life: an entry minted "in the future" is
    /// a miss. Before, the entry (here moved a day later, as a clock set back a day sees it) was served.
    @Test(.enabled(if: hostileServerWorks, "needs scripts/test.sh's hostile cloud bed (OSSB_TEST_HOSTILE_CLOUD)"))
    func aClockSetBackDoesNotStretchACachedToken() throws {
        let server = try HostileCloud()
        let environment = try google("\(server.base)/expires-far/token")
        let first = try get("gcr", "gcr.io", environment)
        #expect(first.status == 0 && first.stderr.contains("cached in"), "\(first)")
        let served = try get("gcr", "gcr.io", environment)
        #expect(served.stderr.contains("served from the token cache"), "\(served)")

        let path = home.file(".ossb/tokens/gcr.io.json")
        var object = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        object["entries"] = (object["entries"] as? [[String: Any]] ?? []).map { entry in
            var shifted = entry
            for key in ["expiresAt", "mintedAt"] {
                if let value = entry[key] as? Double { shifted[key] = Int(value) + 86400 }
            }
            return shifted
        }
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        let later = try get("gcr", "gcr.io", environment)
        #expect(later.status == 0 && !later.stderr.contains("served from the token cache"), "\(later)")
    }

    /// A truncated or garbled cache file is a miss and is replaced, never a crash or an error.
    @Test(.enabled(if: hostileServerWorks, "needs scripts/test.sh's hostile cloud bed (OSSB_TEST_HOSTILE_CLOUD)"))
    func aCorruptCacheFileIsReplaced()
        throws
    {
        let server = try HostileCloud()
        let environment = try google("\(server.base)/expires-far/token")
        #expect(try get("gcr", "gcr.io", environment).status == 0)
        let path = home.file(".ossb/tokens/gcr.io.json")
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        for damaged in [whole.prefix(whole.count / 2), Data([0, 0xFF, 0x1B, 0x5B]), Data()] {
            try damaged.write(to: URL(fileURLWithPath: path))
            let result = try get("gcr", "gcr.io", environment)
            #expect(result.status == 0 && result.stderr.contains("cached in"), "\(result)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count > 100)
        }
    }

    /// A cache file planted as a symlink by another user is neither read nor written through: the token lands
    /// nowhere the other user chose. Needs root to make a file of another uid.
    @Test(.enabled(if: getuid() == 0 && hostileServerWorks, "needs root and scripts/test.sh's hostile cloud bed"))
    func aSymlinkPlantedByAnotherUserIsNotWrittenThrough() throws {
        let server = try HostileCloud()
        let environment = try google("\(server.base)/expires-far/token")
        let tokens = home.file(".ossb/tokens")
        try FileManager.default.createDirectory(
            atPath: tokens, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let stolen = home.file("stolen.json")
        try FileManager.default.createSymbolicLink(atPath: "\(tokens)/gcr.io.json", withDestinationPath: stolen)
        #expect(lchown("\(tokens)/gcr.io.json", 65534, 65534) == 0)
        let result = try get("gcr", "gcr.io", environment)
        #expect(result.status == 0 && result.stderr.contains("not cached"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: stolen))
    }

    // MARK: Crashes

    /// A helper that crashes prints no memory: Swift's crash report lists every register and the bytes it
    /// points to, a token or key in these processes. Before, a SIGSEGV printed the whole report.
    @Test func aCrashPrintsNoMemory() throws {
        for helper in ["docker-credential-ossb-ecr", "ossb-cloud-mint"] {
            let running = try ChildProcess.start(
                ChildProcess.product(helper), helper == "ossb-cloud-mint" ? ["gcr", "get"] : ["get"],
                environment: ["HOME": home.path])
            Thread.sleep(forTimeInterval: 0.5)  // it is waiting for its standard input
            kill(running.process.pid, SIGSEGV)
            let result = running.finish(stdin: [], timeout: 30)
            #expect(result.status != 0)
            #expect(!result.stderr.contains("Backtracing") && !result.stderr.contains("Registers"), "\(result)")
        }
    }
}

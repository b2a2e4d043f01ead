import Foundation
import OSSBTestSupport
import Testing

/// The Azure CLI's login as the chain's last source, with the real Azure CLI (Debian's `azure-cli`) as the peer:
/// `az login --service-principal` against the Entra ID stand-in, reached as login.microsoftonline.com and
/// management.azure.com through the cloud-named front (its CA in REQUESTS_CA_BUNDLE), in a mount namespace whose
/// /etc/hosts points those names and the registry's there (scripts/testbed/cloud-names.sh). The helper and
/// `ossb-registry` then run with az on PATH, its configuration directory, and no AZURE_* service principal
/// variables. `AZURE_POD_IDENTITY_AUTHORITY_HOST` points the managed identity probe at a closed loopback port: this
/// machine's 169.254.169.254 answers (403), where a workstation's does not answer at all.
@Suite(
    .enabled(
        if: CloudNames.bed != nil && TestServers.cloud != nil && TestProcess.which("az") != nil,
        "needs root, scripts/test.sh's cloud-named registries and Azure stand-ins, and the Azure CLI (azure-cli)"),
    // One at a time: the tests count the exchanges of az's one (cached) token.
    .serialized)
struct AzureCLIProcessTests {
    static let registry = CloudNames.azure
    let home = TemporaryDirectory()
    let names: CloudNames
    let cloud: (server: String, exchangePort: Int, directory: String)

    init() throws {
        names = try #require(CloudNames.bed)
        cloud = try #require(TestServers.cloud)
    }

    /// One `az login` for the whole suite (the CLI takes seconds to start): its configuration directory.
    static let loggedIn: Result<String, any Error> = Result {
        let names = try #require(CloudNames.bed)
        let cloud = try #require(TestServers.cloud)
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(cloud.directory)/azure.json"))
        let azure = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ossb-az-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let result = try az(
            [
                "login", "--service-principal", "-u", try #require(azure["client_id"] as? String), "-p",
                try #require(azure["client_secret"] as? String), "--tenant", try #require(azure["tenant"] as? String),
                "--allow-no-subscriptions", "--output", "none",
            ], configuration: directory, names: names)
        guard result.status == 0 else { throw CocoaError(.fileReadUnknown, userInfo: ["az login": "\(result)"]) }
        return directory
    }

    /// Runs the real `az` in the namespace, against the stand-in.
    static func az(_ arguments: [String], configuration: String, names: CloudNames) throws -> TestProcess.Result {
        let (unshare, wrapped) = try names.command(try #require(TestProcess.which("az")), arguments)
        return try TestProcess.run(
            unshare, wrapped,
            environment: [
                "HOME": configuration, "PATH": "/usr/bin:/bin", "AZURE_CONFIG_DIR": configuration,
                "REQUESTS_CA_BUNDLE": "\(names.directory)/ca.crt", "AZURE_CORE_COLLECT_TELEMETRY": "false",
            ])
    }

    /// A user's workstation after `az login`: az on PATH and its configuration; nothing of a service principal.
    func environment(configuration: String, path: String = "/usr/bin:/bin") -> [String: String] {
        [
            "HOME": home.path, "PATH": "\(TestProcess.productsDirectory):\(path)", "AZURE_CONFIG_DIR": configuration,
            "REQUESTS_CA_BUNDLE": "\(names.directory)/ca.crt", "AZURE_CORE_COLLECT_TELEMETRY": "false",
            "OSSB_CERTS_D": names.certsDirectory, "OSSB_EXPLAIN": "1",
            "AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:1",
            // az starts in seconds, more on a loaded machine; 10 s is the default.
            "OSSB_AZURE_CLI_TIMEOUT": "120",
        ]
    }

    func run(_ program: String, _ arguments: [String], input: String = "", environment: [String: String]) throws
        -> ChildProcess.Result
    {
        let (unshare, wrapped) = try names.command(ChildProcess.product(program), arguments)
        return try ChildProcess.run(unshare, wrapped, input: input, environment: environment, timeout: 180)
    }

    /// The token az holds now (MSAL's cache answers the same one the helper got), and what the exchange accepted.
    func azToken(_ configuration: String) throws -> String {
        let result = try Self.az(
            ["account", "get-access-token", "--resource", "https://containerregistry.azure.net", "--output", "json"],
            configuration: configuration, names: names)
        #expect(result.status == 0, "\(result)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require(object?["accessToken"] as? String)
    }

    /// How often the registry's exchange accepted this token.
    func exchanges(of token: String) throws -> Int {
        let jti = try Self.jti(token)
        return try exchanged().filter { $0 == jti }.count
    }

    func exchanged() throws -> [String] {
        let curl = try #require(TestProcess.which("curl"))
        let stats = try TestProcess.run(curl, ["-sf", "http://\(cloud.server)/stats"], environment: [:])
        let object = try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any]
        return object?["exchanged"] as? [String] ?? []
    }

    /// A JWT's `jti`, read without verifying (the stand-in's Entra ID tokens all have one).
    static func jti(_ token: String) throws -> String {
        var payload = String(try #require(token.split(separator: ".").dropFirst().first))
            .replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.count % 4 != 0 { payload += "=" }
        let claims = try JSONSerialization.jsonObject(with: try #require(Data(base64Encoded: payload)))
        return try #require((claims as? [String: Any])?["jti"] as? String)
    }

    @Test func afterAzLoginTheHelperExchangesTheCLIsToken() throws {
        let configuration = try Self.loggedIn.get()
        let before = try exchanges(of: try azToken(configuration))
        let result = try run(
            "docker-credential-ossb-acr", ["get"], input: Self.registry,
            environment: environment(configuration: configuration))
        #expect(result.status == 0, "\(result)")
        #expect(
            result.stdout.hasPrefix(
                #"{"ServerURL":"\#(Self.registry)","Username":"00000000-0000-0000-0000-000000000000","Secret":""#),
            "\(result)")
        #expect(result.stderr.contains("the Azure CLI's login"), "\(result.stderr)")
        let token = try azToken(configuration)
        #expect(try exchanges(of: token) == before + 1, "the exchange got the token the stand-in issued to az")
        #expect(!result.stdout.contains(token) && !result.stderr.contains(token))
    }

    @Test(.enabled(if: TestServers.token != nil, "needs scripts/test.sh's token registry"))
    func afterAzLoginOssbRegistryPulls() throws {
        let configuration = try Self.loggedIn.get()
        let registry = try #require(TestServers.token)
        let repository = "cloud/az-\(UUID().uuidString.prefix(8).lowercased())"
        let seeded = try TestProcess.run(
            "/usr/bin/env",
            [
                "python3", "\(SourceTree.root)/scripts/testbed/seed-image.py", "--registry", registry.registry,
                "--user",
                registry.user, "--password", registry.password, "--repo", repository, "--tag", "v1", "--platforms",
                "linux/amd64", "--format", "oci",
            ], environment: ["PATH": TestServers.environment["PATH"] ?? "/usr/bin:/bin"])
        #expect(seeded.status == 0, "\(seeded)")
        let before = try exchanges(of: try azToken(configuration))
        let out = home.file("layout")
        let pulled = try run(
            "ossb-registry", ["pull", "\(Self.registry)/\(repository):v1", "-o", out],
            environment: environment(configuration: configuration))
        #expect(pulled.status == 0, "\(pulled)")
        #expect(pulled.stderr.contains("answered by cloud"), "\(pulled.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(out)/index.json"))
        let token = try azToken(configuration)
        #expect(try exchanges(of: token) == before + 1, "the pull's credential came from az's token")
        #expect(!pulled.stderr.contains(token) && !pulled.stdout.contains(token))
    }

    /// The chain's last line, which now names `az login` among what to do.
    func expectNoCredentials(
        _ result: ChildProcess.Result, saying: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(result.status == 1, "\(result)", sourceLocation: sourceLocation)
        #expect(
            result.stdout.split(separator: "\n").count == 1, "one line: \(result.stdout)",
            sourceLocation: sourceLocation)
        #expect(result.stdout.contains("no Azure credentials"), "\(result.stdout)", sourceLocation: sourceLocation)
        #expect(
            result.stdout.contains("run `az login`") && result.stdout.contains(saying), "\(result.stdout)",
            sourceLocation: sourceLocation)
    }

    @Test func withoutAzOnPathTheNoCredentialsLineNamesAzLogin() throws {
        // Only mount, which the namespace's wrapper needs.
        let empty = home.file("bin")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: "\(empty)/mount", withDestinationPath: try #require(TestProcess.which("mount")))
        let result = try run(
            "docker-credential-ossb-acr", ["get"], input: Self.registry,
            environment: environment(configuration: home.file("azure"), path: empty))
        expectNoCredentials(result, saying: "the Azure CLI (az) is not on PATH")
    }

    @Test func afterAzLogoutTheNoCredentialsLineNamesAzLogin() throws {
        let configuration = home.file("logged-out")
        try FileManager.default.copyItem(atPath: try Self.loggedIn.get(), toPath: configuration)
        let logout = try Self.az(["logout"], configuration: configuration, names: names)
        #expect(logout.status == 0, "\(logout)")
        let result = try run(
            "docker-credential-ossb-acr", ["get"], input: Self.registry,
            environment: environment(configuration: configuration))
        expectNoCredentials(result, saying: "the Azure CLI is not logged in")
    }

    /// A tenant Entra ID does not know (AZURE_TENANT_ID, passed as `--tenant`): az fails otherwise than for a login.
    @Test func azFailingOtherwiseIsOneLineWithItsReason() throws {
        var environment = environment(configuration: try Self.loggedIn.get())
        environment["AZURE_TENANT_ID"] = "00000000-0000-0000-0000-00000000dead"
        let result = try run("docker-credential-ossb-acr", ["get"], input: Self.registry, environment: environment)
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.split(separator: "\n").count == 1, "one line: \(result.stdout)")
        #expect(result.stdout.contains("`az account get-access-token` failed (exit status"), "\(result.stdout)")
        // The exception az met (MSAL found no such tenant), not the line announcing a traceback.
        #expect(result.stdout.contains("00000000-0000-0000-0000-00000000dead"), "\(result.stdout)")
        #expect(!result.stdout.contains("Here is the traceback"), "\(result.stdout)")
        #expect(result.stderr.contains("--tenant 00000000-0000-0000-0000-00000000dead"), "\(result.stderr)")
    }

    /// A program named az whose message carries terminal escapes and whose output is no JSON.
    @Test func anAzThatPrintsEscapesOrNoJSONIsReportedInertly() throws {
        let bin = home.file("fake-bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let script = "\(bin)/az"
        /// Installs `body` as the az script and runs the helper with it first on PATH.
        func getWithAz(_ body: String) throws -> ChildProcess.Result {
            try "#!/bin/sh\n\(body)\n".write(toFile: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
            return try run(
                "docker-credential-ossb-acr", ["get"], input: Self.registry,
                environment: environment(configuration: home.file("azure"), path: "\(bin):/usr/bin:/bin"))
        }
        let failed = try getWithAz("printf 'WARNING: x\\nERROR: \\033]0;owned\\007bad thing\\n' >&2\nexit 2")
        #expect(failed.status == 1, "\(failed)")
        #expect(failed.stdout.contains("ERROR: ]0;ownedbad thing"), "\(failed.stdout)")
        #expect(!failed.stdout.contains("\u{1B}") && !failed.stdout.contains("\u{07}"))

        let garbled = try getWithAz("echo '{\"accessTokenX\": \"eyJsecret\"}'")
        #expect(garbled.status == 1, "\(garbled)")
        #expect(garbled.stdout.contains("printed no accessToken"), "\(garbled.stdout)")
        #expect(!garbled.stdout.contains("eyJsecret") && !garbled.stderr.contains("eyJsecret"))
    }

    @Test func aBadTimeoutIsOneLineNamingTheVariable() throws {
        var environment = environment(configuration: home.file("azure"))
        environment["OSSB_AZURE_CLI_TIMEOUT"] = "nan"
        let result = try run("docker-credential-ossb-acr", ["get"], input: Self.registry, environment: environment)
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.split(separator: "\n").count == 1, "one line: \(result.stdout)")
        #expect(
            result.stdout.contains("OSSB_AZURE_CLI_TIMEOUT") && result.stdout.contains("unset it"), "\(result.stdout)")
    }

    /// az runs in `/`, with its arguments, stdin empty, and without the secrets of other sources.
    @Test func azRunsInTheRootWithoutOtherSecrets() throws {
        let bin = home.file("spy-bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let record = home.file("record")
        let script = "\(bin)/az"
        try
            "#!/bin/sh\n{ pwd; echo \"$@\"; cat; env; } > \(record)\necho 'ERROR: Please run az login to setup account.' >&2\nexit 1\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        var environment = environment(configuration: home.file("azure"), path: "\(bin):/usr/bin:/bin")
        environment["AZURE_CLIENT_SECRET"] = "azure-secret-value"
        environment["DOCKER_PASSWORD"] = "docker-secret-value"
        environment["AZURE_TENANT_ID"] = "tenant-for-az"
        let result = try run("docker-credential-ossb-acr", ["get"], input: Self.registry, environment: environment)
        expectNoCredentials(result, saying: "the Azure CLI is not logged in")
        let seen = try String(contentsOfFile: record, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(seen.first == "/", "\(seen)")
        #expect(
            seen.dropFirst().first
                == "account get-access-token --output json --resource https://containerregistry.azure.net --tenant tenant-for-az",
            "\(seen)")
        #expect(seen.contains("AZURE_CONFIG_DIR=\(home.file("azure"))"), "\(seen)")
        #expect(!seen.joined().contains("secret-value"), "\(seen)")
    }
}

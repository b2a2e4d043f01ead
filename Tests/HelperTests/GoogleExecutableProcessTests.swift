import Foundation
import Testing

/// docker-credential-ossb-gcr with an executable-sourced subject token (`credential_source.executable`): a shell
/// script written here is the command; it records its runs and environment, and prints the response it is given,
/// whose subject token the Google stand-in's STS (scripts/testbed/cloud-token-server.py) checks.
@Suite(.enabled(if: TestServers.cloud != nil, "needs the Google and Azure stand-ins (scripts/testbed/cloud-beds.sh)"))
struct GoogleExecutableProcessTests {
    static let registry = "europe-west1-docker.pkg.dev"
    static let jwt = "urn:ietf:params:oauth:token-type:jwt"
    let home = TemporaryDirectory()
    let bed: (server: String, exchangePort: Int, directory: String)

    init() throws { bed = try #require(TestServers.cloud) }

    /// The stand-in's federated subject of a type: `subject-token` (OIDC) or `subject-saml`.
    func subject(_ name: String = "subject-token") throws -> String {
        try String(contentsOfFile: "\(bed.directory)/\(name)", encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
    }

    /// A successful version 1 response carrying `token`, expiring `lifetime` seconds from now.
    func response(_ token: String, type: String = jwt, member: String = "id_token", lifetime: Int = 3600) -> String {
        let expiration = Int(Date().timeIntervalSince1970) + lifetime
        return
            #"{"version":1,"success":true,"token_type":"\#(type)","\#(member)":"\#(token)","expiration_time":\#(expiration)}"#
    }

    /// Writes the command: it appends to `runs`, records its environment in `env`, then runs `body` (by default,
    /// printing the `response` file).
    func command(_ response: String?, body: String = #"cat "$D/response""#) throws -> String {
        if let response { try home.write("response", response) }
        try home.write(
            "print-token", "#!/bin/sh\nD='\(home.path)'\necho run >> \"$D/runs\"\nenv > \"$D/env\"\n\(body)\n")
        chmod(home.file("print-token"), 0o755)
        return home.file("print-token")
    }

    /// Writes an external_account file, the stand-in's audience and STS with `executable` as the source, and
    /// returns its path.
    func configuration(
        _ executable: [String: Any], type: String = jwt, impersonating: Bool = false
    ) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(bed.directory)/google-external-url.json"))
        var config = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        config["credential_source"] = ["executable": executable]
        config["subject_token_type"] = type
        if !impersonating { config["service_account_impersonation_url"] = nil }
        let path = home.file("external.json")
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs `get` with the configuration, executables allowed unless `allow` is nil, and credential variables that
    /// the command must not see.
    func get(_ configuration: String, allow: String? = "1", explain: Bool = true) throws -> ChildProcess.Result {
        var environment = [
            "HOME": home.path, "GOOGLE_APPLICATION_CREDENTIALS": configuration,
            "AWS_SECRET_ACCESS_KEY": "aws-secret-withheld", "DOCKER_PASSWORD": "docker-password-withheld",
            "OSSB_EUROPE_WEST1_DOCKER_PKG_DEV_PASSWORD": "binding-withheld",
        ]
        environment["GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES"] = allow
        if explain { environment["OSSB_EXPLAIN"] = "1" }
        return try ChildProcess.run(
            ChildProcess.product("docker-credential-ossb-gcr"), ["get"], input: Self.registry + "\n",
            environment: environment)
    }

    /// The variables the command ran with.
    func recordedEnvironment() throws -> [String: String] {
        var variables: [String: String] = [:]
        for line in try home.read("env").split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            variables[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return variables
    }

    /// How many times the command ran.
    var runs: Int { ((try? home.read("runs")) ?? "").split(separator: "\n").count }

    /// A refusal: status 1, one line on stdout holding every `parts`, no secret anywhere.
    func expectRefusal(
        _ result: ChildProcess.Result, _ parts: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(result.status == 1, "\(result)", sourceLocation: sourceLocation)
        #expect(result.stdout.split(separator: "\n").count == 1, "one line: \(result)", sourceLocation: sourceLocation)
        for part in parts {
            #expect(result.stdout.contains(part), "\(part) in \(result.stdout)", sourceLocation: sourceLocation)
        }
        try expectNoSubject(result, sourceLocation: sourceLocation)
    }

    func expectNoSubject(_ result: ChildProcess.Result, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for secret in [try subject(), try subject("subject-saml")] {
            #expect(
                !result.stdout.contains(secret) && !result.stderr.contains(secret), "the subject token leaked",
                sourceLocation: sourceLocation)
        }
    }

    @Test func theCommandsTokenIsExchangedAndItsEnvironmentIsGoogles() throws {
        let config = try configuration(["command": try command(response(try subject())) + " --flag 'two words'"])
        let result = try get(config)
        #expect(result.status == 0, "\(result)")
        #expect(result.helperSecret?.hasPrefix("fed.") == true, "the STS took the command's subject: \(result)")
        #expect(result.stderr.contains("subject token from the command \(home.file("print-token"))"), "\(result)")
        try expectNoSubject(result)
        #expect(runs == 1)
        let env = try recordedEnvironment()
        #expect(env["GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE"]?.hasPrefix("//iam.googleapis.com/projects/123456/") == true)
        #expect(env["GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE"] == Self.jwt)
        #expect(env["GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE"] == "0")
        #expect(
            env["GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL"] == nil
                && env["GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE"] == nil)
        #expect(env["HOME"] == home.path, "the rest of the environment is passed on")
        for withheld in ["AWS_SECRET_ACCESS_KEY", "DOCKER_PASSWORD", "OSSB_EUROPE_WEST1_DOCKER_PKG_DEV_PASSWORD"] {
            #expect(env[withheld] == nil, "\(withheld) is withheld from the command")
        }
    }

    @Test func aSAMLResponseWithImpersonationAndAnOutputFile() throws {
        let saml = "urn:ietf:params:oauth:token-type:saml2"
        let output = home.file("cache.json")
        let config = try configuration(
            [
                "command": try command(response(try subject("subject-saml"), type: saml, member: "saml_response")),
                "output_file": output, "timeout_millis": 5000,
            ], type: saml, impersonating: true)
        let result = try get(config)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("impersonating ossb-impersonated@"), "\(result)")
        try expectNoSubject(result)
        let env = try recordedEnvironment()
        #expect(env["GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE"] == saml)
        #expect(
            env["GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL"] == "ossb-impersonated@ossb-test.iam.gserviceaccount.com")
        #expect(env["GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE"] == output)
    }

    @Test func withoutTheOptInTheCommandIsNotRun() throws {
        let config = try configuration(["command": try command(response(try subject()))])
        for allow in [nil, "true", "0"] {
            let result = try get(config, allow: allow, explain: false)
            try expectRefusal(result, ["set GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1", config])
        }
        #expect(runs == 0)
    }

    @Test func aCommandThatHangsIsStoppedAtItsTimeout() throws {
        let config = try configuration(["command": try command(nil, body: "exec sleep 60"), "timeout_millis": 5000])
        let start = Date()
        let result = try get(config, explain: false)
        let elapsed = Date().timeIntervalSince(start)
        try expectRefusal(result, ["did not finish within 5000 ms", "timeout_millis"])
        #expect(elapsed >= 5 && elapsed < 15, "stopped after \(elapsed) s")
    }

    @Test func aTimeoutOutsideGooglesBoundsIsRefusedBeforeRunning() throws {
        for millis in [4999, 120_001] {
            let config = try configuration(["command": try command(response(try subject())), "timeout_millis": millis])
            try expectRefusal(try get(config, explain: false), ["timeout_millis", "5000 to 120000"])
        }
        #expect(runs == 0)
    }

    @Test func aCommandThatCannotBeRunOrIsBadlyQuotedIsNamed() throws {
        let missing = try configuration(["command": "ossb-no-such-token-command --secret-arg"])
        let result = try get(missing, explain: false)
        try expectRefusal(result, ["ossb-no-such-token-command", "not an executable file, nor one found on PATH"])
        #expect(!result.stdout.contains("--secret-arg"), "arguments are never shown: \(result)")
        let quoted = try configuration(["command": "'\(try command(nil))"])
        try expectRefusal(try get(quoted, explain: false), ["command of \(quoted)", "badly quoted"])
        #expect(runs == 0)
    }

    @Test func aCommandThatFailsIsNamedWithItsStatus() throws {
        let config = try configuration([
            "command": try command(
                nil, body: "echo 'sign-in needed' >&2\necho \"$(cat '\(bed.directory)/subject-token')\"\nexit 3")
        ])
        let result = try get(config, explain: false)
        try expectRefusal(result, ["exited with status 3", home.file("print-token")])
        #expect(result.stderr.contains("sign-in needed"), "the command's stderr reaches the user: \(result)")
    }

    @Test func aFailureResponseGivesItsCodeAndMessageOnOneLine() throws {
        let failure = #"{"version":1,"success":false,"code":"401","message":"Caller not\nauthorized"}"#
        let result = try get(try configuration(["command": try command(failure)]), explain: false)
        try expectRefusal(result, ["reported failure, code 401: Caller not authorized"])
    }

    @Test func anExpiredTokenIsRefused() throws {
        let config = try configuration(["command": try command(response(try subject(), lifetime: -60))])
        try expectRefusal(try get(config, explain: false), ["expiration_time has passed"])
    }

    @Test func responsesThatAreNotGooglesAreRefusedWithoutQuotingThem() throws {
        let token = try subject()
        let cases = [
            (#"{"version":1,"success":true,"id_token":"\#(token)"#, "did not give a JSON object"),
            (#"{"version":2,"success":true,"token_type":"\#(Self.jwt)","id_token":"\#(token)"}"#, "not 1"),
            (#"{"version":1,"success":true,"token_type":"opaque","id_token":"\#(token)"}"#, "token_type \"opaque\""),
            (
                #"{"version":1,"success":true,"token_type":"\#(Self.jwt)","saml_response":"\#(token)"}"#,
                "without id_token"
            ),
        ]
        for (response, expected) in cases {
            let config = try configuration(["command": try command(response)])
            try expectRefusal(try get(config, explain: false), [expected])
        }
    }

    @Test func anUnexpiredResponseInTheOutputFileIsUsedWithoutRunningTheCommand() throws {
        let output = home.file("cache.json")
        try response(try subject()).write(toFile: output, atomically: true, encoding: .utf8)
        let config = try configuration(["command": try command(nil, body: "exit 1"), "output_file": output])
        let result = try get(config)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("output file \(output)"), "\(result)")
        try expectNoSubject(result)
        #expect(runs == 0, "the command did not run")
    }

    @Test func anExpiredOrFailedResponseInTheOutputFileRunsTheCommandAgain() throws {
        let output = home.file("cache.json")
        let config = try configuration(["command": try command(response(try subject())), "output_file": output])
        for stale in [
            response("old-subject", lifetime: -60), #"{"version":1,"success":false,"code":"x","message":"y"}"#,
        ] {
            try stale.write(toFile: output, atomically: true, encoding: .utf8)
            try? FileManager.default.removeItem(atPath: home.file(".ossb/tokens"))
            #expect(try get(config, explain: false).status == 0)
        }
        #expect(runs == 2)
        // A broken output file is the command's fault, and said so, as in Google's libraries.
        try #"{"version":1,"#.write(toFile: output, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: home.file(".ossb/tokens"))
        try expectRefusal(try get(config, explain: false), ["the output file \(output)", "delete the file"])
        #expect(runs == 2)
    }

    @Test func withAnOutputFileTheResponseMustSayWhenItExpires() throws {
        let response = #"{"version":1,"success":true,"token_type":"\#(Self.jwt)","id_token":"\#(try subject())"}"#
        let config = try configuration(["command": try command(response), "output_file": home.file("cache.json")])
        try expectRefusal(try get(config, explain: false), ["no expiration_time", "output_file"])
    }
}

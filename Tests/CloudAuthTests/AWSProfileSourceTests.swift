import AuthCore
import Foundation
import OSSBTestSupport
import Testing

@testable import CloudAuth

/// Which source a profile of the shared files yields, decided without network, and the pure parts of
/// `credential_process` and IAM Identity Center: command-line words, the process's answer, SSO settings.
@Suite struct AWSProfileSourceTests {
    let home = TemporaryDirectory()

    /// The source the chain picks for `profile` of a config file holding `config`.
    func source(_ profile: String, _ config: String) throws -> AWSCredentialSource {
        try home.write("config", config)
        let environment = Environment([
            "HOME": home.path, "AWS_CONFIG_FILE": home.file("config"),
            "AWS_SHARED_CREDENTIALS_FILE": home.file("credentials"), "AWS_PROFILE": profile,
        ])
        let context = CloudContext(environment: environment, http: UnusedHTTPClient(), now: { 1_800_000_000 })
        return try AWSCredentialChain(context: context, region: "us-east-1").resolve()
    }

    static let everything = """
        [profile all]
        role_arn = arn:aws:iam::123456789012:role/r
        source_profile = keys
        sso_session = corp
        sso_account_id = 123456789012
        sso_role_name = reader
        aws_access_key_id = AKIAALL
        aws_secret_access_key = all-secret
        credential_process = /bin/vault get
        [profile keys]
        aws_access_key_id = AKIAKEYS
        aws_secret_access_key = keys-secret
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = eu-west-1

        """

    /// botocore's order within a profile: role_arn (with source_profile), SSO, static keys, credential_process.
    @Test func orderWithinAProfile() throws {
        #expect(try source("all", Self.everything).name.hasPrefix("profile all (role arn:aws:iam::123456789012:role/r"))
        let withoutRole = Self.everything.replacing("role_arn = arn:aws:iam::123456789012:role/r\n", with: "")
        #expect(try source("all", withoutRole).name.hasPrefix("profile all (SSO, role reader in account 123456789012"))
        let keysAndProcess = withoutRole.replacing("sso_account_id = 123456789012\nsso_role_name = reader\n", with: "")
        let keys = try source("all", keysAndProcess)
        #expect(keys.name == "profile all" && keys.identity == "profile:all:AKIAALL")
        let processOnly = keysAndProcess.replacing(
            "aws_access_key_id = AKIAALL\naws_secret_access_key = all-secret\n", with: "")
        let process = try source("all", processOnly)
        #expect(process.name == "profile all (credential_process /bin/vault)")
        // The cache identity holds a digest of the command line, never the line (it may carry a secret).
        #expect(process.identity.hasPrefix("profile:all:process:") && !process.identity.contains("vault"))
    }

    /// A source profile with keys gives its keys, not its own role: the "keys and role in one profile that sources
    /// itself" set-up assumes the role once, as in the SDKs.
    @Test func aSourceProfileWithKeysIgnoresItsOwnRole() throws {
        let selfSourced = try source(
            "me",
            """
            [profile me]
            role_arn = arn:aws:iam::123456789012:role/admin
            source_profile = me
            aws_access_key_id = AKIAME
            aws_secret_access_key = me-secret
            """)
        #expect(selfSourced.name == "profile me (role arn:aws:iam::123456789012:role/admin with profile me)")
        // A source profile set up for SSO (no keys) sources the role with its SSO credentials.
        let viaSSO = try source(
            "admin",
            """
            [profile admin]
            role_arn = arn:aws:iam::123456789012:role/admin
            source_profile = sso
            [profile sso]
            sso_start_url = https://corp.awsapps.com/start
            sso_region = eu-west-1
            sso_account_id = 123456789012
            sso_role_name = reader
            """)
        #expect(viaSSO.name.hasPrefix("profile admin (role arn:aws:iam::123456789012:role/admin with profile sso (SSO"))
    }

    @Test func profileSettingsThatDoNotFitAreOneClearError() throws {
        let cases: [(String, String)] = [
            (
                "[profile p]\nsso_account_id = 1\nsso_role_name = r\nsso_session = s\n[sso-session s]\nsso_region = eu-west-1\n",
                "lacks sso_start_url"
            ),
            (
                "[profile p]\nsso_account_id = 1\nsso_role_name = r\nsso_region = us-east-1\nsso_session = s\n[sso-session s]\nsso_start_url = https://x\nsso_region = eu-west-1\n",
                "sets sso_region to us-east-1 but its [sso-session s] to eu-west-1"
            ),
            ("[profile p]\nsso_account_id = 1\nsso_role_name = r\nsso_session = gone\n", "no [sso-session gone]"),
            ("[profile p]\ncredential_process = \"unterminated\n", "unbalanced quote"),
            (
                "[profile p]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = q\ncredential_source = Environment\n",
                "sets both source_profile and credential_source"
            ),
            ("[profile p]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Laptop\n", "none of Environment"),
            (
                "[profile p]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = EcsContainer\n",
                "has no credentials here"
            ),
            ("[profile p]\nrole_arn = arn:aws:iam::1:role/r\n", "neither source_profile nor credential_source"),
        ]
        for (config, expected) in cases {
            #expect {
                try source("p", config)
            } throws: { error in
                "\(error)".contains(expected) && "\(error)".contains("profile p")
            }
        }
    }

    @Test func ssoCacheFileIsNamedBySHA1OfTheSessionOrStartURL() throws {
        let session = try #require(
            try AWSSingleSignOn(
                profile: "p", settings: ["sso_session": "my-sso", "sso_account_id": "1", "sso_role_name": "r"],
                shared: AWSSharedConfig.parsed("[sso-session my-sso]\nsso_start_url = https://x\nsso_region = r\n")))
        // sha1("my-sso"), as `printf my-sso | sha1sum` prints it.
        #expect(session.cacheFile(home: "/h") == "/h/.aws/sso/cache/\(try Self.sha1("my-sso")).json")
        let legacy = try #require(
            try AWSSingleSignOn(
                profile: "p",
                settings: [
                    "sso_start_url": "https://d-1234.awsapps.com/start", "sso_region": "eu-west-1",
                    "sso_account_id": "1", "sso_role_name": "r",
                ], shared: AWSSharedConfig.parsed("")))
        #expect(legacy.cacheFile(home: "/h").hasSuffix("/\(try Self.sha1("https://d-1234.awsapps.com/start")).json"))
        #expect(AWSSingleSignOn.time("2026-11-30T20:00:00Z") == 1_796_068_800)
        #expect(AWSSingleSignOn.time("2026-11-30T20:00:00UTC") == 1_796_068_800)
    }

    static func sha1(_ text: String) throws -> String {
        let sha1sum = try #require(TestProcess.which("sha1sum"))
        let script = "printf '%s' \"$1\" | \(sha1sum)"
        let out = try TestProcess.run("/bin/sh", ["-c", script, "sh", text], environment: [:]).stdout
        return String(out.prefix(40))
    }

    @Test(arguments: [
        ("/bin/tool", ["/bin/tool"]),
        ("  tool  a\tb ", ["tool", "a", "b"]),
        (#""/opt/my tools/x" --name 'a b'"#, ["/opt/my tools/x", "--name", "a b"]),
        (#"x "a \"q\" \\ \n" 'it'"'"'s'"#, ["x", #"a "q" \ \n"#, "it's"]),
        (#"x a\ b \$HOME $HOME ''"#, ["x", "a b", "$HOME", "$HOME", ""]),
        ("x pre'mid'post", ["x", "premidpost"]),
    ])
    func commandWordsAreShellWordsWithoutExpansion(_ line: String, _ words: [String]) {
        #expect(AWSProcessCredentials.words(line) == words)
    }

    @Test(arguments: ["x 'open", #"x "open"#, #"x trailing\"#])
    func unbalancedCommandLinesAreRefused(_ line: String) {
        #expect(AWSProcessCredentials.words(line) == nil)
    }

    @Test func processAnswers() throws {
        let good = try AWSProcessCredentials.credentials(
            fromJSON:
                #"{"Version": 1, "AccessKeyId": "ASIA1", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2026-11-30T20:00:00Z"}"#,
            what: "w")
        #expect(good.accessKeyID == "ASIA1" && good.sessionToken == "t" && good.expiresAt == 1_796_068_800)
        let lasting = try AWSProcessCredentials.credentials(
            fromJSON: #"{"Version": 1, "AccessKeyId": "AKIA1", "SecretAccessKey": "s"}"#, what: "w")
        #expect(lasting.expiresAt == nil && lasting.sessionToken == nil)
        for bad in [
            #"{"AccessKeyId": "AKIA1", "SecretAccessKey": "s"}"#,
            #"{"Version": 1, "AccessKeyId": "AKIA1", "SecretAccessKey": "s", "Expiration": "tomorrow"}"#,
            #"{"Version": 1, "AccessKeyId": "AKIA1"}"#, "secret-looking garbage", "",
        ] {
            #expect(throws: CloudAuthError.self) {
                try AWSProcessCredentials.credentials(fromJSON: bad, what: "w")
            }
        }
    }

    @Test func aHungProcessIsStoppedAtItsTimeLimit() throws {
        try home.write("hang", "#!/bin/sh\nexec sleep 30\n")
        chmod(home.file("hang"), 0o755)
        var process = try AWSProcessCredentials(
            profile: "slow", command: home.file("hang"), environment: Environment(["PATH": "/usr/bin:/bin"]))
        process.timeout = 1
        let started = Date()
        #expect {
            try process.fetch()
        } throws: { error in
            "\(error)".contains("profile slow's credential_process") && "\(error)".contains("did not finish within 1 s")
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }
}

extension AWSSharedConfig {
    /// The shared configuration of one config file's text, for tests.
    static func parsed(_ config: String) throws -> AWSSharedConfig {
        let directory = TemporaryDirectory()
        try directory.write("config", config)
        return try AWSSharedConfig(
            environment: Environment([
                "AWS_CONFIG_FILE": directory.file("config"), "AWS_SHARED_CREDENTIALS_FILE": directory.file("none"),
            ]))
    }
}

import Foundation
import Testing

/// docker-credential-ossb-ecr with the workstation profiles of `~/.aws/config`: `credential_process` and IAM
/// Identity Center (SSO), as real child processes, against moto (which checks the SigV4 signature made with the
/// keys the profile yields) and the SSO portal and ECR stand-ins of scripts/testbed/aws-metadata.py.
@Suite struct ECRProfileProcessTests {
    let helper = ChildProcess.product("docker-credential-ossb-ecr")
    static let registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    /// The access token the SSO stand-in accepts, as `aws sso login` would have cached it.
    static let ssoToken = "ossb-sso-access-token"
    let home = TemporaryDirectory()

    func environment(_ extra: [String: String]) -> [String: String] {
        var env = [
            "HOME": home.path, "AWS_EC2_METADATA_DISABLED": "true", "OSSB_EXPLAIN": "1",
            "AWS_CONFIG_FILE": home.file("config"), "AWS_SHARED_CREDENTIALS_FILE": home.file("credentials"),
        ]
        env.merge(extra) { _, new in new }
        return env
    }

    func get(_ extra: [String: String]) throws -> ChildProcess.Result {
        try ChildProcess.run(helper, ["get"], input: Self.registry + "\n", environment: environment(extra))
    }

    /// Writes an executable script into the temporary home.
    func script(_ name: String, _ body: String) throws -> String {
        try home.write(name, "#!/bin/sh\n" + body)
        chmod(home.file(name), 0o755)
        return home.file(name)
    }

    /// The JSON a credential process prints.
    static func processOutput(key: String, secret: String, sessionToken: String? = nil, expiration: Date? = nil)
        -> String
    {
        var fields = [#""Version": 1"#, #""AccessKeyId": "\#(key)""#, #""SecretAccessKey": "\#(secret)""#]
        if let sessionToken { fields.append(#""SessionToken": "\#(sessionToken)""#) }
        if let expiration { fields.append(#""Expiration": "\#(ISO8601DateFormatter().string(from: expiration))""#) }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    /// Writes the SSO token cache file `aws sso login` leaves, named by the SHA-1 of `key`.
    func cacheSSOLogin(key: String, startURL: String, expiresIn seconds: TimeInterval) throws {
        let name = try Self.sha1(key)
        let expiry = ISO8601DateFormatter().string(from: Date().addingTimeInterval(seconds))
        try home.write(
            ".aws/sso/cache/\(name).json",
            #"{"startUrl": "\#(startURL)", "region": "eu-west-1", "accessToken": "\#(Self.ssoToken)", "expiresAt": "\#(expiry)"}"#
        )
    }

    /// The SHA-1 hex digest the SDKs name SSO cache files by, computed by Python's hashlib.
    static func sha1(_ text: String) throws -> String {
        let python = try #require(TestProcess.which("python3"))
        let digest = try TestProcess.run(
            python, ["-c", "import hashlib, sys; print(hashlib.sha1(sys.argv[1].encode()).hexdigest())", text],
            environment: [:])
        return digest.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A config file whose profile `dev` signs in through `[sso-session corp]` for `role`, and `more` after it.
    static func ssoSessionConfig(role: String, more: String = "") -> String {
        """
        [profile dev]
        sso_session = corp
        sso_account_id = 123456789012
        sso_role_name = \(role)
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = eu-west-1

        """ + more
    }

    @Test(.enabled(if: TestServers.moto != nil, "needs moto (scripts/testbed/moto.sh)"))
    func credentialProcessKeysSignForMoto() throws {
        let moto = try #require(TestServers.moto)
        // The program lives in a directory with a space, and takes a quoted argument: the command line is split as
        // the SDKs split it (POSIX shell words), and no shell runs it.
        let program = try script(
            "my tools/aws creds",
            """
            printf '%s\\n' "$@" > "$HOME/args"
            env > "$HOME/env"
            echo 'process: fetching credentials' >&2
            echo '\(Self.processOutput(key: moto.keyID, secret: moto.secret))'
            """)
        try home.write(
            "config", "[profile dev]\ncredential_process = \"\(program)\" --role 'ecr reader' plain\\ word $HOME\n")
        let stray = [
            "DOCKER_PASSWORD": "hub-secret", "AZURE_CLIENT_SECRET": "azure-secret",
            "AWS_SESSION_TOKEN": "stray-session-secret", "OSSB_127_0_0_1_5000_PASSWORD": "registry-secret",
        ]
        let result = try get(
            ["AWS_PROFILE": "dev", "AWS_ENDPOINT_URL": moto.checked].merging(stray) { $1 })
        #expect(result.status == 0, "\(result)")
        #expect(result.helperSecret == "123456789012-auth-token")
        #expect(result.stderr.contains("credentials from profile dev (credential_process"), "\(result.stderr)")
        #expect(result.stderr.contains("process: fetching credentials"), "its stderr must pass through")
        #expect(try home.read("args") == "--role\necr reader\nplain word\n$HOME\n")
        let env = try home.read("env")
        for (name, value) in stray {
            #expect(!env.contains("\(name)=") && !env.contains(value), "the credential process saw \(name)")
        }
        #expect(env.contains("AWS_PROFILE=dev") && env.contains("HOME=\(home.path)"))
        #expect(!result.stdout.contains(moto.secret) && !result.stderr.contains(moto.secret))
    }

    @Test func credentialProcessFailuresAreOneLineNamingTheProfile() throws {
        let failing = try script("fail", "echo 'denied by the vault' >&2\nexit 3\n")
        let garbage = try script("garbage", "echo 'AccessKeyId=AKIA leaked-secret-value'\n")
        let version2 = try script(
            "v2", "echo '{\"Version\": 2, \"AccessKeyId\": \"AKIA\", \"SecretAccessKey\": \"v2-secret\"}'\n")
        try home.write(
            "config",
            """
            [profile failing]
            credential_process = \(failing)
            [profile garbage]
            credential_process = \(garbage) --flag
            [profile v2]
            credential_process = \(version2)
            [profile missing]
            credential_process = \(home.file("no-such-program"))
            [profile unbalanced]
            credential_process = \(failing) 'open
            """)
        let cases: [(String, String)] = [
            ("failing", "exited with status 3"), ("garbage", "did not print"), ("v2", "Version 1"),
            ("missing", "cannot be run"), ("unbalanced", "unbalanced quote"),
        ]
        for (profile, expected) in cases {
            let result = try get(["AWS_PROFILE": profile])
            #expect(result.status == 1, "\(profile): \(result)")
            #expect(result.stdout.split(separator: "\n").count == 1, "\(profile): \(result)")
            #expect(
                result.stdout.contains("profile \(profile)") && result.stdout.contains("credential_process")
                    && result.stdout.contains(expected), "\(profile): \(result)")
            for secret in ["leaked-secret-value", "v2-secret"] {
                #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret), "\(profile)")
            }
        }
        let failed = try get(["AWS_PROFILE": "failing"])
        #expect(failed.stderr.contains("denied by the vault"), "its stderr must pass through: \(failed)")
    }

    @Test(.enabled(if: TestServers.awsMetadata != nil, "needs scripts/testbed/aws-metadata.py"))
    func credentialProcessExpirationBoundsTheTokenCache() throws {
        let metadata = try #require(TestServers.awsMetadata)
        let hourKey = "AKIAPROCHOUR\(UUID().uuidString.prefix(6))"
        let shortKey = "AKIAPROCSHORT\(UUID().uuidString.prefix(6))"
        let hour = try script(
            "hour",
            "echo '\(Self.processOutput(key: hourKey, secret: "s", sessionToken: "t", expiration: Date() + 3600))'\n")
        let short = try script(
            "short",
            "echo '\(Self.processOutput(key: shortKey, secret: "s", sessionToken: "t", expiration: Date() + 120))'\n")
        try home.write(
            "config", "[profile hour]\ncredential_process = \(hour)\n[profile short]\ncredential_process = \(short)\n")
        let base = ["AWS_ENDPOINT_URL_ECR": metadata, "OSSB_TOKEN_CACHE_DIR": home.file("tokens")]

        // Credentials good for an hour: the 12-hour ECR token is kept, but only as long as they are.
        let first = try get(base.merging(["AWS_PROFILE": "hour"]) { $1 })
        #expect(first.status == 0 && first.stderr.contains("cached in"), "\(first)")
        let second = try get(base.merging(["AWS_PROFILE": "hour"]) { $1 })
        #expect(second.stderr.contains("served from the token cache"), "\(second)")
        #expect(try ECRHelperProcessTests.minted(metadata, key: hourKey) == 1)
        let expiry = try #require(
            second.stderr.firstRange(of: "valid until ").flatMap {
                Int(second.stderr[$0.upperBound...].prefix { $0.isNumber })
            }, "\(second.stderr)")
        #expect(abs(expiry - Int(Date().timeIntervalSince1970 + 3600)) < 120, "cached past the credentials' expiry")

        // Credentials that expire within the cache's margin: the token is handed out, not kept.
        let shortFirst = try get(base.merging(["AWS_PROFILE": "short"]) { $1 })
        #expect(shortFirst.status == 0 && shortFirst.stderr.contains("not cached"), "\(shortFirst)")
        _ = try get(base.merging(["AWS_PROFILE": "short"]) { $1 })
        #expect(try ECRHelperProcessTests.minted(metadata, key: shortKey) == 2)
    }

    @Test(.enabled(if: TestServers.moto != nil && TestServers.awsMetadata != nil, "needs moto.sh's stand-ins"))
    func ssoSessionProfileGetsRoleCredentialsFromThePortal() throws {
        let moto = try #require(TestServers.moto)
        let portal = try #require(TestServers.awsMetadata)
        try home.write(
            "config",
            Self.ssoSessionConfig(
                role: "ecr-puller",
                more: """
                    [profile legacy]
                    sso_start_url = https://legacy.awsapps.com/start
                    sso_region = eu-west-1
                    sso_account_id = 123456789012
                    sso_role_name = ecr-puller
                    """))
        try cacheSSOLogin(key: "corp", startURL: "https://corp.awsapps.com/start", expiresIn: 3600)
        try cacheSSOLogin(
            key: "https://legacy.awsapps.com/start", startURL: "https://legacy.awsapps.com/start", expiresIn: 3600)
        let endpoints = ["AWS_ENDPOINT_URL_SSO": portal, "AWS_ENDPOINT_URL_ECR": moto.checked]
        // What the portal hands out for the role: temporary credentials of moto's role `ecr-puller`.
        let curl = try #require(TestProcess.which("curl"))
        let answer = try TestProcess.run(
            curl,
            [
                "-sf", "-H", "x-amz-sso_bearer_token: \(Self.ssoToken)",
                "\(portal)/federation/credentials?role_name=ecr-puller&account_id=123456789012",
            ], environment: [:])
        let role = try #require(
            (try JSONSerialization.jsonObject(with: Data(answer.stdout.utf8)) as? [String: [String: Any]])?[
                "roleCredentials"])
        let roleKey = try #require(role["accessKeyId"] as? String)
        let roleSecrets = [
            try #require(role["secretAccessKey"] as? String), try #require(role["sessionToken"] as? String),
        ]
        for profile in ["dev", "legacy"] {
            let result = try get(endpoints.merging(["AWS_PROFILE": profile]) { $1 })
            #expect(result.status == 0, "\(profile): \(result)")
            #expect(result.helperSecret == "123456789012-auth-token", "\(profile): \(result)")
            #expect(
                result.stderr.contains(
                    "credentials from profile \(profile) (SSO, role ecr-puller in account 123456789012"),
                "\(result.stderr)")
            #expect(result.stderr.contains("GetRoleCredentials at \(portal)"), "\(result.stderr)")
            #expect(result.stderr.contains("access key \(roleKey)"), "\(result.stderr)")
            for secret in [Self.ssoToken] + roleSecrets {
                #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret), "\(profile)")
            }
        }

        // boto3 reads the same files and reaches the same stand-in: the cache file's name and the portal's
        // protocol are the SDK's, and it gets the key moto accepted from us.
        let python = try #require(TestProcess.which("python3"))
        var botoEnvironment = ProcessInfo.processInfo.environment.merging(environment(endpoints)) { $1 }
        botoEnvironment["AWS_PROFILE"] = "dev"
        let boto = try TestProcess.run(
            python, ["-c", "import boto3; print(boto3.Session().get_credentials().access_key)"],
            environment: botoEnvironment)
        #expect(boto.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == roleKey, "\(boto.stderr)")
    }

    @Test(.enabled(if: TestServers.awsMetadata != nil, "needs scripts/testbed/aws-metadata.py"))
    func aMissingOrExpiredSSOLoginSaysToLogIn() throws {
        let portal = try #require(TestServers.awsMetadata)
        try home.write(
            "config",
            Self.ssoSessionConfig(
                role: "dev",
                more: """
                    [profile nosuchrole]
                    sso_session = corp
                    sso_account_id = 123456789012
                    sso_role_name = admin
                    [profile broken]
                    sso_session = nowhere
                    sso_account_id = 123456789012
                    sso_role_name = dev
                    """))
        let env = ["AWS_PROFILE": "dev", "AWS_ENDPOINT_URL_SSO": portal]
        let missing = try get(env)
        #expect(missing.status == 1 && missing.stdout.contains("run `aws sso login --profile dev`"), "\(missing)")
        #expect(missing.stdout.split(separator: "\n").count == 1)

        try cacheSSOLogin(key: "corp", startURL: "https://corp.awsapps.com/start", expiresIn: -60)
        let expired = try get(env)
        #expect(expired.status == 1 && expired.stdout.contains("expired"), "\(expired)")
        #expect(expired.stdout.contains("run `aws sso login --profile dev`"), "\(expired)")

        // A token the portal no longer takes (signed out elsewhere): the same advice.
        let name = try Self.sha1("corp")
        let future = ISO8601DateFormatter().string(from: Date() + 3600)
        try home.write(
            ".aws/sso/cache/\(name).json", #"{"accessToken": "revoked-sso-token", "expiresAt": "\#(future)"}"#)
        let revoked = try get(env)
        #expect(revoked.status == 1 && revoked.stdout.contains("answered 401"), "\(revoked)")
        #expect(revoked.stdout.contains("run `aws sso login --profile dev`"), "\(revoked)")
        #expect(!revoked.stdout.contains("revoked-sso-token") && !revoked.stderr.contains("revoked-sso-token"))

        try cacheSSOLogin(key: "corp", startURL: "https://corp.awsapps.com/start", expiresIn: 3600)
        let forbidden = try get(env.merging(["AWS_PROFILE": "nosuchrole"]) { $1 })
        #expect(forbidden.status == 1 && forbidden.stdout.contains("answered 403"), "\(forbidden)")
        #expect(forbidden.stdout.contains("role admin in account 123456789012"), "\(forbidden)")

        let broken = try get(env.merging(["AWS_PROFILE": "broken"]) { $1 })
        #expect(broken.status == 1 && broken.stdout.contains("[sso-session nowhere]"), "\(broken)")
    }

    /// The cache file of an `[sso-session]` login whose access token has expired but which holds a refresh token
    /// and a client registration, as `aws sso login` leaves it.
    func cacheExpiredRefreshableLogin(refreshToken: String = "ossb-refresh-token") throws {
        try Self.cacheExpiredRefreshableLogin(in: home, refreshToken: refreshToken)
    }

    /// The same in another home directory.
    static func cacheExpiredRefreshableLogin(in home: TemporaryDirectory, refreshToken: String) throws {
        let past = ISO8601DateFormatter().string(from: Date() - 600)
        let registration = ISO8601DateFormatter().string(from: Date() + 86400 * 80)
        try home.write(
            ".aws/sso/cache/\(try Self.sha1("corp")).json",
            """
            {"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1", "accessToken": "stale-sso-token",
             "expiresAt": "\(past)", "clientId": "ossb-client", "clientSecret": "ossb-client-secret",
             "registrationExpiresAt": "\(registration)", "refreshToken": "\(refreshToken)"}
            """)
    }

    @Test(.enabled(if: TestServers.moto != nil && TestServers.awsMetadata != nil, "needs moto.sh's stand-ins"))
    func anExpiredSSOSessionLoginIsRenewedWithItsRefreshToken() throws {
        let moto = try #require(TestServers.moto)
        let portal = try #require(TestServers.awsMetadata)
        try home.write("config", Self.ssoSessionConfig(role: "ecr-puller"))
        let env = [
            "AWS_PROFILE": "dev", "AWS_ENDPOINT_URL_SSO": portal, "AWS_ENDPOINT_URL_SSO_OIDC": portal,
            "AWS_ENDPOINT_URL_ECR": moto.checked,
        ]
        let cache = home.file(".aws/sso/cache/\(try Self.sha1("corp")).json")

        // boto3 renews the same file at the same stand-in: the stand-in speaks the SDK's CreateToken.
        try cacheExpiredRefreshableLogin()
        let python = try #require(TestProcess.which("python3"))
        let boto = try TestProcess.run(
            python, ["-c", "import boto3; print(boto3.Session().get_credentials().access_key)"],
            environment: ProcessInfo.processInfo.environment.merging(environment(env)) { $1 })
        #expect(boto.status == 0 && boto.stdout.hasPrefix("ASIA"), "\(boto.stderr)")

        try cacheExpiredRefreshableLogin()
        let result = try get(env)
        #expect(result.status == 0 && result.helperSecret == "123456789012-auth-token", "\(result)")
        #expect(result.stderr.contains("IAM Identity Center login renewed"), "\(result.stderr)")
        let renewed = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cache))) as? [String: String])
        #expect(renewed["accessToken"] == Self.ssoToken && renewed["refreshToken"] == "ossb-refresh-token-2")
        #expect(
            renewed["clientSecret"] == "ossb-client-secret" && renewed["startUrl"] == "https://corp.awsapps.com/start")
        let expiry = try #require(renewed["expiresAt"].flatMap { ISO8601DateFormatter().date(from: $0) })
        #expect(abs(expiry.timeIntervalSinceNow - 3600) < 120)
        let mode = try FileManager.default.attributesOfItem(atPath: cache)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        for secret in ["ossb-refresh-token", "ossb-client-secret", Self.ssoToken, "stale-sso-token"] {
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret), "\(secret) leaked")
        }

        // A refresh token the service refuses (the session ended): log in again.
        try cacheExpiredRefreshableLogin(refreshToken: "revoked-refresh-token")
        let refused = try get(env)
        #expect(refused.status == 1 && refused.stdout.contains("run `aws sso login --profile dev`"), "\(refused)")
        #expect(refused.stderr.contains("answered 400 (invalid_grant"), "\(refused.stderr)")
        #expect(!refused.stdout.contains("revoked-refresh-token") && !refused.stderr.contains("revoked-refresh-token"))
    }

    @Test(.enabled(if: TestServers.moto != nil && TestServers.awsMetadata != nil, "needs moto.sh's stand-ins"))
    func aRoleSourcedFromTheContainerCredentials() throws {
        let moto = try #require(TestServers.moto)
        let metadata = try #require(TestServers.awsMetadata)
        try home.write(
            "config", "[profile app]\nrole_arn = arn:aws:iam::123456789012:role/app\ncredential_source = EcsContainer\n"
        )
        let result = try get([
            "AWS_PROFILE": "app", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "\(metadata)/container-credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-secret", "AWS_ENDPOINT_URL": moto.open,
        ])
        #expect(result.status == 0 && result.helperSecret == "123456789012-auth-token", "\(result)")
        #expect(
            result.stderr.contains(
                "credentials from profile app (role arn:aws:iam::123456789012:role/app with container credentials"),
            "\(result.stderr)")
        #expect(result.stderr.contains("STS AssumeRole for"), "\(result.stderr)")
        #expect(!result.stderr.contains("container-secret") && !result.stdout.contains("container-secret"))
    }
}

import Foundation
import OSSBTestSupport
import Testing

/// Workload identity federation from AWS through the real docker-credential-ossb-gcr: the `aws1` configuration of
/// scripts/testbed/cloud-token-server.py, whose Google STS verifies the serialised GetCallerIdentity request's SigV4
/// signature against the secrets AWS would hold (an IAM user's key, the instance role of its own IMDSv2-only
/// instance metadata), and names the verified AWS principal in the token it mints.
@Suite(.enabled(if: TestServers.cloud != nil, "needs the Google and Azure stand-ins (scripts/testbed/cloud-beds.sh)"))
struct GoogleAWSProcessTests {
    static let registry = "us-docker.pkg.dev"
    let home = TemporaryDirectory()

    func bed() throws -> (server: String, exchangePort: Int, directory: String) { try #require(TestServers.cloud) }

    /// The IAM user's key the stand-in's STS knows.
    func user() throws -> [String: String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(try bed().directory)/google-aws-user.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
    }

    /// The stand-in's `aws1` configuration with `change` applied to its credential_source, written into HOME.
    func configuration(_ change: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(try bed().directory)/google-external-aws.json"))
        var config = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var source = try #require(config["credential_source"] as? [String: Any])
        change(&source)
        config["credential_source"] = source
        let path = home.file("aws-config.json")
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        return path
    }

    func get(_ configuration: String, _ extra: [String: String] = [:], explain: Bool = false) throws
        -> ChildProcess.Result
    {
        var environment = ["HOME": home.path, "GOOGLE_APPLICATION_CREDENTIALS": configuration]
        if explain { environment["OSSB_EXPLAIN"] = "1" }
        environment.merge(extra) { $1 }
        return try ChildProcess.run(
            ChildProcess.product("docker-credential-ossb-gcr"), ["get"], stdin: Array((Self.registry + "\n").utf8),
            environment: environment)
    }

    /// The AWS principal the STS verified, from the `identity` claim of the federated token it minted.
    func principal(_ result: ChildProcess.Result) throws -> String {
        let token = try #require(result.helperSecret, "\(result)")
        let parts = token.split(separator: ".")
        try #require(parts.count == 4 && parts[0] == "fed", "a federated token: \(result)")
        var payload = parts[2].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        payload += String(repeating: "=", count: (4 - payload.count % 4) % 4)
        let claims = try JSONSerialization.jsonObject(with: try #require(Data(base64Encoded: payload)))
        return try #require((claims as? [String: Any])?["identity"] as? String)
    }

    /// Status 1 and one line, on stdout as the helper protocol has it, nothing on stderr (no OSSB_EXPLAIN).
    func expectOneLineFailure(_ result: ChildProcess.Result, containing: String) {
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.split(separator: "\n").count == 1 && result.stdout.hasSuffix("\n"), "\(result)")
        #expect(result.stdout.contains(containing), "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
    }

    @Test func environmentCredentialsSignTheSubjectToken() throws {
        let user = try user()
        let secret = try #require(user["secret_access_key"])
        let result = try get(
            try configuration(),
            [
                "AWS_ACCESS_KEY_ID": try #require(user["access_key_id"]), "AWS_SECRET_ACCESS_KEY": secret,
                "AWS_REGION": "eu-west-3",
            ], explain: true)
        #expect(result.status == 0, "\(result)")
        #expect(try principal(result) == "aws:\(try #require(user["arn"]))")
        #expect(result.stderr.contains("region eu-west-3 from the environment"), "\(result)")
        #expect(result.stderr.contains("GetCallerIdentity at https://sts.eu-west-3.amazonaws.com"), "\(result)")
        #expect(!result.stderr.contains("instance metadata") && !result.stderr.contains("IMDSv2"), "\(result)")
        let token = try #require(result.helperSecret)
        for text in [secret, "Signature=", token] {
            #expect(!result.stderr.contains(text), "\(text.prefix(10)) never reaches the explanation")
        }
    }

    @Test func anotherAccessKeyIsAnotherIdentityInTheTokenCache() throws {
        let user = try user()
        let config = try configuration()
        var environment = [
            "AWS_ACCESS_KEY_ID": try #require(user["access_key_id"]),
            "AWS_SECRET_ACCESS_KEY": try #require(user["secret_access_key"]), "AWS_REGION": "us-east-2",
        ]
        let first = try get(config, environment)
        #expect(first.status == 0, "\(first)")
        let again = try get(config, environment)
        #expect(again.helperSecret == first.helperSecret, "the same key: served from the cache: \(again)")
        // A key the STS does not know must be asked for, not answered with the first key's token.
        environment["AWS_ACCESS_KEY_ID"] = "AKIAOTHERKEY00000000"
        let other = try get(config, environment)
        expectOneLineFailure(other, containing: "InvalidClientTokenId")
    }

    @Test func theInstanceRoleSignsWithAnIMDSv2SessionToken() throws {
        let result = try get(try configuration(), explain: true)
        #expect(result.status == 0, "\(result)")
        #expect(
            try principal(result) == "aws:arn:aws:sts::123456789012:assumed-role/ossb-google-role/i-0123456789abcdef0")
        #expect(result.stderr.contains("IMDSv2 session token"), "\(result)")
        // us-west-2b, less its zone letter.
        #expect(result.stderr.contains("region us-west-2 from the availability zone"), "\(result)")
        #expect(result.stderr.contains("instance role ossb-google-role"), "\(result)")
        for text in ["Signature=", "x-amz-security-token", "SecretAccessKey", try #require(result.helperSecret)] {
            #expect(!result.stderr.contains(text), "\(text.prefix(10)) never reaches the explanation")
        }
    }

    @Test func withoutTheSessionTokenURLAnIMDSv2OnlyInstanceRefuses() throws {
        let result = try get(try configuration { $0["imdsv2_session_token_url"] = nil })
        expectOneLineFailure(result, containing: "answered 401")
    }

    @Test func aWrongSecretKeyIsRefusedByTheVerifier() throws {
        let user = try user()
        let wrong = "wrong-secret-\(UUID().uuidString)"
        let result = try get(
            try configuration(),
            [
                "AWS_ACCESS_KEY_ID": try #require(user["access_key_id"]), "AWS_SECRET_ACCESS_KEY": wrong,
                "AWS_SESSION_TOKEN": "session-\(wrong)", "AWS_DEFAULT_REGION": "us-east-1",
            ])
        expectOneLineFailure(result, containing: "SignatureDoesNotMatch")
        #expect(result.stdout.contains("invalid_grant"), "\(result)")
        #expect(!result.stderr.contains(wrong) && !result.stdout.contains(wrong), "\(result)")
    }

    @Test func withoutARegionItSaysWhereToSetOne() throws {
        let user = try user()
        let result = try get(
            try configuration { $0["region_url"] = nil },
            [
                "AWS_ACCESS_KEY_ID": try #require(user["access_key_id"]),
                "AWS_SECRET_ACCESS_KEY": try #require(user["secret_access_key"]),
            ])
        expectOneLineFailure(result, containing: "no AWS region")
        #expect(result.stdout.contains("AWS_REGION"), "\(result)")
    }

    @Test func aLookAlikeVerificationURLIsRefusedByGooglesSTS() throws {
        let user = try user()
        let environment = [
            "AWS_ACCESS_KEY_ID": try #require(user["access_key_id"]),
            "AWS_SECRET_ACCESS_KEY": try #require(user["secret_access_key"]), "AWS_REGION": "us-east-1",
        ]
        let lookalike = try get(
            try configuration {
                $0["regional_cred_verification_url"] =
                    "https://sts.{region}.amazonaws.com.example.net?Action=GetCallerIdentity&Version=2011-06-15"
            }, environment)
        expectOneLineFailure(lookalike, containing: "not an AWS STS GetCallerIdentity request")
        // Google's libraries sign only for https.
        let plain = try get(
            try configuration {
                $0["regional_cred_verification_url"] =
                    "http://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15"
            }, environment)
        expectOneLineFailure(plain, containing: "regional_cred_verification_url")
    }

    @Test func aMetadataURLOffTheInstanceMetadataServiceIsRefused() throws {
        for name in ["url", "region_url", "imdsv2_session_token_url"] {
            let result = try get(
                try configuration { $0[name] = "http://metadata.example.net/latest/meta-data/iam/security-credentials" }
            )
            expectOneLineFailure(result, containing: "the credential_source \(name) of")
            #expect(result.stdout.contains("169.254.169.254"), "\(result)")
        }
    }
}

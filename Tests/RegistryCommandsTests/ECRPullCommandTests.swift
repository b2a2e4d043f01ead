import AuthCore
import Foundation
import OSSBTestSupport
import Testing

/// `ossb-registry pull` from the Basic registry reached under an ECR name: discovery's `cloud` source runs
/// docker-credential-ossb-ecr, which mints the token (user `AWS`) at the ECR stand-in, and the registry accepts it.
/// No `docker login`, no stored credential.
@Suite(
    .enabled(
        if: TestServers.basic != nil && TestServers.basicECRToken != nil && TestServers.awsMetadata != nil,
        "needs scripts/test.sh's Basic registry and the AWS stand-ins (moto.sh)"))
struct ECRPullCommandTests {
    let harness = CommandHarness()

    @Test func pullWithATokenTheCloudHelperMints() async throws {
        let bed = try #require(TestServers.basic)
        let metadata = try #require(TestServers.awsMetadata)
        let port = try #require(bed.address.split(separator: ":").last.map(String.init))
        let repo = "cloud/ecr-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try SeededImage.push(repo, platforms: "linux/amd64")
        let host = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
        let environment = [
            "AWS_ACCESS_KEY_ID": "AKIAE2E", "AWS_SECRET_ACCESS_KEY": "e2e-secret", "AWS_ENDPOINT_URL_ECR": metadata,
            "AWS_EC2_METADATA_DISABLED": "true", "OSSB_EXPLAIN": "1",
        ]
        let out = harness.home.file("layout")
        let pulled = await harness.run(
            ["pull", "--insecure", "\(host):\(port)/\(repo):v1", "-o", out], environment: environment,
            resolve: ["\(host):\(port):127.0.0.1"])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(pulled.stderr.contains("answered by cloud"), "\(pulled.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(out)/index.json"))
        #expect(!pulled.stderr.contains(try #require(TestServers.basicECRToken)))

        // Without AWS credentials the cloud source is skipped with a note naming what to set, and the registry
        // refuses the anonymous pull.
        let refused = await harness.run(
            ["pull", "--insecure", "\(host):\(port)/\(repo):v1", "-o", harness.home.file("other")],
            environment: ["AWS_EC2_METADATA_DISABLED": "true", "OSSB_EXPLAIN": "1"],
            resolve: ["\(host):\(port):127.0.0.1"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("no AWS credentials"), "\(refused.stderr)")
    }

    /// A workstation's IAM Identity Center profile: the role credentials come from the SSO portal (stand-in) with
    /// the token `aws sso login` cached, and the ECR token minted with them opens the registry.
    @Test func pullWithAnSSOProfile() async throws {
        let bed = try #require(TestServers.basic)
        let metadata = try #require(TestServers.awsMetadata)
        let port = try #require(bed.address.split(separator: ":").last.map(String.init))
        let repo = "cloud/ecr-sso-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try SeededImage.push(repo, platforms: "linux/amd64")
        let host = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
        try harness.home.write(
            ".aws/config",
            """
            [profile work]
            sso_session = corp
            sso_account_id = 123456789012
            sso_role_name = e2e
            [sso-session corp]
            sso_start_url = https://corp.awsapps.com/start
            sso_region = eu-west-1
            """)
        let python = try #require(TestProcess.which("python3"))
        let cacheName = try TestProcess.run(
            python, ["-c", "import hashlib; print(hashlib.sha1(b'corp').hexdigest())"], environment: [:]
        ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let expiry = ISO8601DateFormatter().string(from: Date() + 3600)
        try harness.home.write(
            ".aws/sso/cache/\(cacheName).json",
            #"{"accessToken": "ossb-sso-access-token", "expiresAt": "\#(expiry)"}"#)
        var environment = [
            "AWS_PROFILE": "work", "AWS_ENDPOINT_URL_SSO": metadata, "AWS_ENDPOINT_URL_ECR": metadata,
            "AWS_EC2_METADATA_DISABLED": "true", "OSSB_EXPLAIN": "1",
        ]
        let pulled = await harness.run(
            ["pull", "--insecure", "\(host):\(port)/\(repo):v1", "-o", harness.home.file("layout")],
            environment: environment, resolve: ["\(host):\(port):127.0.0.1"])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(pulled.stderr.contains("answered by cloud"), "\(pulled.stderr)")
        #expect(FileManager.default.fileExists(atPath: harness.home.file("layout/index.json")))
        for secret in [
            "ossb-sso-access-token", "e2e-secret", "e2e-sso-session", try #require(TestServers.basicECRToken),
        ] {
            #expect(!pulled.stderr.contains(secret) && !pulled.stdout.contains(secret))
        }

        // Logged out (no cached login) and no cached registry token: the one line says how to log in.
        try FileManager.default.removeItem(atPath: harness.home.file(".aws/sso/cache/\(cacheName).json"))
        environment["OSSB_TOKEN_CACHE_DIR"] = harness.home.file("fresh-tokens")
        let refused = await harness.run(
            ["pull", "--insecure", "\(host):\(port)/\(repo):v1", "-o", harness.home.file("other")],
            environment: environment, resolve: ["\(host):\(port):127.0.0.1"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("run `aws sso login --profile work`"), "\(refused.stderr)")
    }
}

import Foundation
import Testing

/// The `cloud` discovery source through the front and the kubelet plugin, as real child processes: each runs
/// docker-credential-ossb-ecr for an ECR host and passes its answer on.
@Suite(.enabled(if: TestServers.awsMetadata != nil, "needs scripts/testbed/aws-metadata.py (moto.sh)"))
struct CloudSourceProcessTests {
    static let registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
    let home = TemporaryDirectory()

    func environment(_ key: String) throws -> [String: String] {
        [
            "HOME": home.path, "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": "s3cret-\(key)",
            "AWS_ENDPOINT_URL_ECR": try #require(TestServers.awsMetadata), "AWS_EC2_METADATA_DISABLED": "true",
            "OSSB_EXPLAIN": "1",
        ]
    }

    @Test func theFrontAnswersForAnECRHost() throws {
        let result = try ChildProcess.run(
            ChildProcess.product("docker-credential-ossb"), ["get"], input: Self.registry,
            environment: try environment("AKIAFRONT"))
        #expect(result.status == 0, "\(result)")
        #expect(
            result.stdout.hasPrefix(#"{"ServerURL":"\#(Self.registry)","Username":"AWS","Secret":"minted-"#),
            "\(result)")
        #expect(result.stdout.contains("-for-AKIAFRONT"))
        #expect(result.stderr.contains("answered by cloud"))
        #expect(!result.stderr.contains("s3cret-AKIAFRONT"))
        // A host that is no cloud's is not sent to the cloud helper.
        let other = try ChildProcess.run(
            ChildProcess.product("docker-credential-ossb"), ["get"], input: "\(Self.registry).example.com",
            environment: try environment("AKIAFRONT"))
        #expect(other.stdout == "credentials not found in native keychain\n")
        #expect(other.stderr.contains("is no cloud's registry, not asked"))
        #expect(!other.stderr.contains("cloud: no credentials"), "a source not asked is not reported twice")
    }

    @Test func theKubeletPluginReportsACacheDurationThatEndsBeforeTheToken() throws {
        let plugin = ChildProcess.product("ossb-kubelet-credential-provider")
        let request =
            #"{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":"\#(Self.registry)/app:1"}"#
            + "\n"
        let result = try ChildProcess.run(
            plugin, ["--cache-duration=12h"], input: request, environment: try environment("AKIANODE"))
        #expect(result.status == 0, "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["cacheDuration"] as? String == "5m0s", "\(result.stdout)")
        let auth = try #require(object["auth"] as? [String: [String: String]])
        #expect(auth[Self.registry]?["username"] == "AWS")
        #expect(auth[Self.registry]?["password"]?.hasSuffix("-for-AKIANODE") == true)
        // A shorter configured duration stays.
        let short = try ChildProcess.run(
            plugin, ["--cache-duration=1m"], input: request, environment: try environment("AKIANODE"))
        #expect(short.stdout.contains(#""cacheDuration":"1m0s""#), "\(short)")
    }
}

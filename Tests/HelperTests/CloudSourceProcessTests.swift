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

    /// Seconds of a Go duration as the plugin writes it (`0s`, `1m58s`, `5m0s`).
    static func seconds(_ duration: String) throws -> Int {
        let match = try #require(duration.wholeMatch(of: /(?:(\d+)h)?(?:(\d+)m)?(\d+)s/), "\(duration)")
        return [match.1, match.2, match.3].map { Int($0 ?? "0")! }.reduce(0) { $0 * 60 + $1 }
    }

    @Test func theKubeletPluginNeverLetsKubeletReuseAShortLivedTokenPastItsExpiry() throws {
        let plugin = ChildProcess.product("ossb-kubelet-credential-provider")
        let request =
            #"{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":"\#(Self.registry)/app:1"}"#
            + "\n"
        // The ECR stand-in mints the tokens of AKIALIFE<seconds>X keys with that many seconds to live. Less than
        // the 5-minute margin left: kubelet must not cache the answer at all. Two minutes beyond it: two minutes
        // at most, minted or served from the token cache. Hours: the usual 5 minutes.
        let cases: [(life: Int, expected: ClosedRange<Int>)] = [(120, 0...0), (420, 110...120), (7200, 300...300)]
        for (life, expected) in cases {
            let key = "AKIALIFE\(life)X\(UUID().uuidString.prefix(8))"
            for attempt in ["first", "second"] {
                let result = try ChildProcess.run(
                    plugin, ["--cache-duration=1h"], input: request, environment: try environment(key))
                #expect(result.status == 0, "\(result)")
                let object = try #require(
                    try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
                let duration = try #require(object["cacheDuration"] as? String, "\(result.stdout)")
                #expect(expected.contains(try Self.seconds(duration)), "\(life) s token, \(attempt) get: \(duration)")
                let auth = try #require(object["auth"] as? [String: [String: String]])
                #expect(auth[Self.registry]?["password"]?.hasSuffix("-for-\(key)") == true, "\(result.stdout)")
            }
        }
        // The cloud helper says when its token expires (`ExpiresAt`), and the front passes it on, to a client that
        // asks with OSSB_HELPER_EXPIRY=1 (ours do). Others (docker, skopeo, podman) get the protocol's three members.
        let key = "AKIALIFE420X\(UUID().uuidString.prefix(8))"
        let front = try ChildProcess.run(
            ChildProcess.product("docker-credential-ossb"), ["get"], input: Self.registry,
            environment: try environment(key).merging(["OSSB_HELPER_EXPIRY": "1"]) { $1 })
        let answer = try #require(
            try JSONSerialization.jsonObject(with: Data(front.stdout.utf8)) as? [String: String], "\(front)")
        let expiry = try #require(answer["ExpiresAt"].flatMap { ISO8601DateFormatter().date(from: $0) }, "\(answer)")
        #expect(abs(expiry.timeIntervalSinceNow - 420) < 30)
        let plain = try ChildProcess.run(
            ChildProcess.product("docker-credential-ossb"), ["get"], input: Self.registry,
            environment: try environment(key))
        let secret = try #require(answer["Secret"])
        let exact = plain.stdout == #"{"ServerURL":"\#(Self.registry)","Username":"AWS","Secret":"\#(secret)"}"# + "\n"
        #expect(exact, "\(plain.stdout.count) bytes; the answer with the expiry had \(answer.keys.sorted())")
    }
}

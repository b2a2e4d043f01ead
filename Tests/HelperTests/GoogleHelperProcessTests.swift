import Foundation
import Testing

/// docker-credential-ossb-gcr as a real child process, and the front and the kubelet plugin running it through the
/// `cloud` source, against the Google stand-in of scripts/testbed/cloud-token-server.py (which checks the RS256
/// assertion against the service account key's public half).
@Suite(.enabled(if: TestServers.cloud != nil, "needs the Google and Azure stand-ins (scripts/testbed/cloud-beds.sh)"))
struct GoogleHelperProcessTests {
    static let registry = "europe-west1-docker.pkg.dev"
    let home = TemporaryDirectory()

    func environment() throws -> [String: String] {
        let bed = try #require(TestServers.cloud)
        return [
            "HOME": home.path, "GOOGLE_APPLICATION_CREDENTIALS": "\(bed.directory)/google-sa.json", "OSSB_EXPLAIN": "1",
        ]
    }

    @Test func mintsOnceThenServesFromTheCache() throws {
        let helper = ChildProcess.product("docker-credential-ossb-gcr")
        let first = try ChildProcess.run(helper, ["get"], input: Self.registry + "\n", environment: try environment())
        #expect(first.status == 0, "\(first)")
        #expect(
            first.stdout.hasPrefix(#"{"ServerURL":"\#(Self.registry)","Username":"oauth2accesstoken","Secret":""#),
            "\(first)")
        let token = try #require(first.helperSecret)
        #expect(!token.isEmpty && !first.stderr.contains(token), "the token never reaches the explanation")
        let second = try ChildProcess.run(helper, ["get"], input: Self.registry + "\n", environment: try environment())
        // Every token the stand-in mints is unique (a random jti): the same one again came from the cache.
        #expect(second.helperSecret == token, "a cached get makes no request: \(second)")
        let cached = (try? FileManager.default.contentsOfDirectory(atPath: home.file(".ossb/tokens"))) ?? []
        #expect(!cached.isEmpty)
        // A look-alike is not Google's.
        let lookalike = try ChildProcess.run(
            helper, ["get"], input: "europe-west1-docker.pkg.dev.example.com\n", environment: try environment())
        #expect(
            lookalike.status == 1 && lookalike.stdout == "credentials not found in native keychain\n", "\(lookalike)")
        // The cloud owns the credential.
        let store = try ChildProcess.run(
            helper, ["store"], input: #"{"ServerURL":"gcr.io","Username":"u","Secret":"p"}"#,
            environment: try environment())
        #expect(store.status == 1, "\(store)")
    }

    @Test func theFrontAndTheKubeletPluginAnswerForAGoogleHost() throws {
        let front = try ChildProcess.run(
            ChildProcess.product("docker-credential-ossb"), ["get"], input: "gcr.io", environment: try environment())
        #expect(front.status == 0, "\(front)")
        #expect(front.stdout.hasPrefix(#"{"ServerURL":"gcr.io","Username":"oauth2accesstoken","Secret":""#), "\(front)")
        let request =
            #"{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":"us.gcr.io/project/app:1"}"#
            + "\n"
        let plugin = try ChildProcess.run(
            ChildProcess.product("ossb-kubelet-credential-provider"), [], input: request, environment: try environment()
        )
        #expect(plugin.status == 0, "\(plugin)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(plugin.stdout.utf8)) as? [String: Any])
        let auth = try #require(object["auth"] as? [String: [String: String]])
        #expect(auth["us.gcr.io"]?["username"] == "oauth2accesstoken", "\(plugin.stdout)")
    }
}

import AuthCore
import Foundation
import HTTPTransport
import OSSBTestSupport
import Testing

/// `ossb-registry pull` from the token registry reached under a Google name: discovery's `cloud` source runs
/// docker-credential-ossb-gcr, which signs an RS256 assertion with the service account key and trades it at the
/// Google stand-in for an access token; the registry's token server takes that token as the password of
/// `oauth2accesstoken`, as Artifact Registry does. No `docker login`, no stored credential.
@Suite(
    .enabled(
        if: TestServers.token != nil && TestServers.cloud != nil,
        "needs scripts/test.sh's token registry and the Google stand-in (cloud-beds.sh)"))
struct GooglePullCommandTests {
    let harness = CommandHarness()

    @Test func pullWithAnAccessTokenTheCloudHelperMints() async throws {
        let token = try #require(TestServers.token)
        let cloud = try #require(TestServers.cloud)
        let repository = "cloud/gcr-\(UUID().uuidString.prefix(8).lowercased())"
        let pusher = RegistryAuthenticator(
            registry: HTTPOrigin(URL(string: "http://\(token.registry)/")!)!,
            credentials: Credentials(username: token.user, password: token.password), client: CurlHTTPClient(),
            allowPlainHTTP: true)
        let digest = try await RegistrySeeder(auth: pusher, registry: token.registry).pushImage(repository, tag: "v1")
        let port = try #require(token.registry.split(separator: ":").last.map(String.init))
        let host = "europe-west1-docker.pkg.dev"
        let out = harness.home.file("layout")
        let pulled = await harness.run(
            ["pull", "--insecure", "\(host):\(port)/\(repository):v1", "-o", out],
            environment: ["GOOGLE_APPLICATION_CREDENTIALS": "\(cloud.directory)/google-sa.json", "OSSB_EXPLAIN": "1"],
            resolve: ["\(host):\(port):127.0.0.1"])
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(pulled.stderr.contains("answered by cloud"), "\(pulled.stderr)")
        #expect(pulled.stdout.contains(digest), "\(pulled.stdout)")
        #expect(!pulled.stderr.contains("ya29."), "no access token in the explanation")

        // Without Google credentials (and no metadata server) the pull is refused by the registry.
        let refused = await harness.run(
            ["pull", "--insecure", "\(host):\(port)/\(repository):v1", "-o", harness.home.file("other")],
            environment: ["GCE_METADATA_HOST": "127.0.0.1:9", "OSSB_EXPLAIN": "1"],
            resolve: ["\(host):\(port):127.0.0.1"])
        #expect(refused.status == 1, "\(refused.stderr)")
    }
}

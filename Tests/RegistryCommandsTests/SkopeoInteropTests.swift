import AuthCore
import Foundation
import HTTPTransport
import OSSBTestSupport
import Testing

/// What `ossb-registry login` stores is usable by a real client: skopeo, through the suite's file helper,
/// pulls with the stored identity token (containers/image exchanges it with the OAuth2 POST).
@Suite struct SkopeoInteropTests {
    @Test(.enabled(if: TestServers.token != nil, "needs scripts/test.sh's token registry"),
          .enabled(if: Subprocess.which("skopeo") != nil, "skopeo is not installed"))
    func skopeoReadsTheLoginThroughTheFileHelper() async throws {
        let bed = try #require(TestServers.token)
        let harness = CommandHarness()
        let login = await harness.run(["login", bed.registry, "-u", bed.user, "--password-stdin"], stdin: bed.password)
        #expect(login.status == 0, "\(login.stderr)")
        #expect(try harness.storedEntry(bed.registry)?["identitytoken"] != nil)

        let repository = "ossb/skopeo-\(UUID().uuidString.lowercased().prefix(8))"
        let pusher = RegistryAuthenticator(
            registry: HTTPOrigin(URL(string: "http://\(bed.registry)/")!)!,
            credentials: Credentials(username: bed.user, password: bed.password), client: CurlHTTPClient(),
            allowPlainHTTP: true)
        try await RegistrySeeder(auth: pusher, registry: bed.registry).pushImage(repository, tag: "v1")

        try Data(#"{"credHelpers": {"\#(bed.registry)": "ossb-file"}}"#.utf8)
            .write(to: URL(fileURLWithPath: harness.home.file("auth.json")))
        let environment = [
            "PATH": "\(Subprocess.productsDirectory):/usr/local/bin:/usr/bin:/bin", "HOME": harness.home.path,
            "REGISTRY_AUTH_FILE": harness.home.file("auth.json"), "OSSB_CREDENTIALS_FILE": harness.credentialsFile,
        ]
        let skopeo = try #require(Subprocess.which("skopeo"))
        let inspect = try Subprocess.run(
            skopeo, ["inspect", "--raw", "--tls-verify=false", "docker://\(bed.registry)/\(repository):v1"],
            environment: environment)
        #expect(inspect.status == 0, "\(inspect)")
        #expect(inspect.stdout.contains("application/vnd.oci.image.manifest.v1+json"))

        // After logout, skopeo has no credentials and the private repository is refused.
        #expect(await harness.run(["logout", bed.registry]).status == 0)
        let refused = try Subprocess.run(
            skopeo, ["inspect", "--raw", "--tls-verify=false", "docker://\(bed.registry)/\(repository):v1"],
            environment: environment)
        #expect(refused.status != 0)
    }
}

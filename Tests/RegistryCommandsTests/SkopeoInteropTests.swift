import AuthCore
import Foundation
import HTTPTransport
import OSSBTestSupport
import Testing

/// What `ossb-registry login` stores is usable by a real client: skopeo, through the suite's file helper,
/// pulls with the stored identity token (containers/image exchanges it with the OAuth2 POST). The helper is
/// named in the two places the README gives: the file `REGISTRY_AUTH_FILE` names, and
/// `~/.config/containers/auth.json` with no `XDG_RUNTIME_DIR` (root, CI).
@Suite struct SkopeoInteropTests {
    @Test(
        .enabled(if: TestServers.token != nil, "needs scripts/test.sh's token registry"),
        .enabled(if: TestProcess.which("skopeo") != nil, "skopeo is not installed"),
        arguments: [true, false])
    func skopeoReadsTheLoginThroughTheFileHelper(authFileVariable: Bool) async throws {
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

        let authFile = authFileVariable ? "auth.json" : ".config/containers/auth.json"
        try harness.home.write(authFile, #"{"credHelpers": {"\#(bed.registry)": "ossb-file"}}"#)
        var environment = [
            "PATH": "\(TestProcess.productsDirectory):/usr/local/bin:/usr/bin:/bin", "HOME": harness.home.path,
            "OSSB_CREDENTIALS_FILE": harness.credentialsFile,
        ]
        if authFileVariable { environment["REGISTRY_AUTH_FILE"] = harness.home.file(authFile) }
        let skopeo = try #require(TestProcess.which("skopeo"))
        let inspect = try TestProcess.run(
            skopeo, ["inspect", "--raw", "--tls-verify=false", "docker://\(bed.registry)/\(repository):v1"],
            environment: environment)
        #expect(inspect.status == 0, "\(inspect)")
        #expect(inspect.stdout.contains("application/vnd.oci.image.manifest.v1+json"))

        // After logout, skopeo has no credentials and the private repository is refused.
        #expect(await harness.run(["logout", bed.registry]).status == 0)
        let refused = try TestProcess.run(
            skopeo, ["inspect", "--raw", "--tls-verify=false", "docker://\(bed.registry)/\(repository):v1"],
            environment: environment)
        #expect(refused.status != 0)
    }
}

import AuthCore
import Foundation
import OSSBTestSupport
import Testing

/// Pulls from registries under the clouds' own names (scripts/testbed/cloud-names.sh), with no `docker login` and no
/// stored credential: `ossb-registry pull`, and skopeo asking the front (`docker-credential-ossb`), whose `cloud`
/// source runs the cloud's helper. The programs run in a mount namespace whose /etc/hosts points the names at the
/// front on port 443, so names carry no port, resolution is the system's own and certificates are verified against
/// the front's CA (certs.d). A look-alike name, served by the same registry, gets no cloud credential.
@Suite(
    .enabled(
        if: CloudNames.bed != nil && TestServers.token != nil && TestServers.cloud != nil && TestServers.moto != nil,
        "needs root and scripts/test.sh's cloud-named registries (cloud-names.sh), cloud stand-ins and moto"))
struct CloudNamePullTests {
    let home = TemporaryDirectory()
    let names: CloudNames

    init() throws { names = try #require(CloudNames.bed) }

    /// The clouds whose registries are tested, each with its registry name and look-alike.
    enum Cloud: String, CaseIterable, CustomTestStringConvertible {
        case azure, ecr, google
        var registry: String {
            switch self {
            case .azure: CloudNames.azure
            case .ecr: CloudNames.ecr
            case .google: CloudNames.google
            }
        }
        var lookalike: String? {
            switch self {
            case .azure: CloudNames.azureLookalike
            case .ecr: CloudNames.ecrLookalike
            case .google: nil
            }
        }
        var testDescription: String { rawValue }
    }

    /// The cloud's credentials as its users set them: a service principal (Entra ID at the stand-in), moto's IAM
    /// user (moto checks the SigV4 signature), a Google service account key.
    func environment(_ cloud: Cloud) throws -> [String: String] {
        let stand = try #require(TestServers.cloud)
        var variables = [
            "HOME": home.path, "OSSB_CERTS_D": names.certsDirectory,
            "PATH": "\(TestProcess.productsDirectory):/usr/local/bin:/usr/bin:/bin",
        ]
        switch cloud {
        case .azure:
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(stand.directory)/azure.json"))
            let azure = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
            variables["AZURE_CLIENT_ID"] = azure["client_id"]
            variables["AZURE_TENANT_ID"] = azure["tenant"]
            variables["AZURE_CLIENT_SECRET"] = azure["client_secret"]
            variables["AZURE_AUTHORITY_HOST"] = "http://\(stand.server)"
        case .ecr:
            let moto = try #require(TestServers.moto)
            variables["AWS_ACCESS_KEY_ID"] = moto.keyID
            variables["AWS_SECRET_ACCESS_KEY"] = moto.secret
            variables["AWS_ENDPOINT_URL"] = moto.checked
            variables["AWS_EC2_METADATA_DISABLED"] = "true"
        case .google:
            variables["GOOGLE_APPLICATION_CREDENTIALS"] = "\(stand.directory)/google-sa.json"
        }
        return variables
    }

    /// Pushes a fresh OCI image (one platform) into the token registry, whose storage every cloud name serves;
    /// its manifest digest, which skopeo keeps too when copying into an OCI layout.
    func seed() throws -> (repository: String, digest: String) {
        let token = try #require(TestServers.token)
        let repository = "cloud/names-\(UUID().uuidString.prefix(8).lowercased())"
        let result = try TestProcess.run(
            "/usr/bin/env",
            [
                "python3", "\(SourceTree.root)/scripts/testbed/seed-image.py", "--registry", token.registry, "--user",
                token.user, "--password", token.password, "--repo", repository, "--tag", "v1", "--platforms",
                "linux/amd64", "--format", "oci",
            ], environment: ["PATH": TestServers.environment["PATH"] ?? "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result)")
        return (repository, try JSONDecoder().decode(SeededImage.self, from: Data(result.stdout.utf8)).digest)
    }

    /// Runs a program in the namespace where the cloud names resolve to the front.
    func run(_ executable: String, _ arguments: [String], _ environment: [String: String]) throws -> TestProcess.Result
    {
        let (unshare, wrapped) = try names.command(executable, arguments)
        return try TestProcess.run(unshare, wrapped, environment: environment)
    }

    /// Checks that a look-alike name was asked (it serves the same image) but never got a credential.
    func expectNoCredential(at lookalike: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let stats = try names.stats(lookalike)
        #expect((stats["requests"] ?? 0) > 0, "the look-alike was reached: \(stats)", sourceLocation: sourceLocation)
        #expect(
            stats["credentialed"] == 0, "a credential went to \(lookalike): \(stats)", sourceLocation: sourceLocation)
        #expect(stats["exchanges"] == 0, "an exchange went to \(lookalike): \(stats)", sourceLocation: sourceLocation)
    }

    @Test(arguments: Cloud.allCases)
    func ossbRegistryPullsFromTheCloudsName(_ cloud: Cloud) async throws {
        let (repository, digest) = try seed()
        var environment = try environment(cloud)
        environment["OSSB_EXPLAIN"] = "1"
        let binary = TestProcess.productsDirectory + "/ossb-registry"
        let out = home.file("layout")
        let pulled = try run(binary, ["pull", "\(cloud.registry)/\(repository):v1", "-o", out], environment)
        #expect(pulled.status == 0, "\(pulled)")
        #expect(pulled.stdout.contains(digest), "\(pulled.stdout)")
        #expect(pulled.stderr.contains("answered by cloud"), "\(pulled.stderr)")
        #expect(pulled.stderr.contains("TLS for \(cloud.registry): system CAs plus"), "\(pulled.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(out)/index.json"))

        guard let lookalike = cloud.lookalike else { return }
        let refused = try run(
            binary, ["pull", "\(lookalike)/\(repository):v1", "-o", home.file("other")], environment)
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("is no cloud's registry"), "\(refused.stderr)")
        try expectNoCredential(at: lookalike)
    }

    /// skopeo with the front as its credential helper: per registry (`credHelpers` in an auth file) for one
    /// look-up form, for every registry (`credential-helpers` in registries.conf, like docker's `credsStore`) for
    /// the other.
    @Test(arguments: Cloud.allCases)
    func skopeoCopiesThroughTheFront(_ cloud: Cloud) async throws {
        let skopeo = try #require(TestProcess.which("skopeo"), "skopeo is not installed")
        let (repository, digest) = try seed()
        let environment = try environment(cloud)
        let names = [cloud.registry] + (cloud.lookalike.map { [$0] } ?? [])
        let helpers = names.map { #""\#($0)": "ossb""# }.joined(separator: ", ")
        try home.write("auth.json", #"{"credHelpers": {\#(helpers)}}"#)
        try home.write("registries.conf", "credential-helpers = [\"ossb\"]\n")
        let configuration =
            cloud == .ecr
            ? ["copy", "--authfile", home.file("auth.json")]
            : ["--registries-conf", home.file("registries.conf"), "copy"]

        func copy(_ name: String, into layout: String) throws -> TestProcess.Result {
            try run(
                skopeo,
                configuration + [
                    "--src-cert-dir", self.names.certDirectory(for: name), "docker://\(name)/\(repository):v1",
                    "oci:\(home.file(layout)):v1",
                ], environment)
        }
        let copied = try copy(cloud.registry, into: "layout")
        #expect(copied.status == 0, "\(copied)")
        let index = try home.read("layout/index.json")
        #expect(index.contains(digest), "\(index)")

        guard let lookalike = cloud.lookalike else { return }
        let refused = try copy(lookalike, into: "other")
        #expect(refused.status != 0, "\(refused)")
        #expect(refused.stderr.contains("authentication required"), "\(refused.stderr)")
        try expectNoCredential(at: lookalike)
    }
}

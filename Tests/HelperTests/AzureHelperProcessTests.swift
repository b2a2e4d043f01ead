import Foundation
import OSSBTestSupport
import Testing

/// docker-credential-ossb-acr, the front and the kubelet plugin as real child processes for an Azure registry under
/// its own name, `ossbtest.azurecr.io`: run in a mount namespace whose /etc/hosts points the name at the
/// cloud-named front (scripts/testbed/cloud-names.sh), so ossb-cloud-mint reaches the registry's /oauth2/exchange
/// through the system's resolver and a certificate verified against a certs.d CA, as on a real machine. Entra ID is
/// the stand-in of scripts/testbed/cloud-token-server.py (`AZURE_AUTHORITY_HOST`).
@Suite(
    .enabled(
        if: CloudNames.bed != nil && TestServers.cloud != nil,
        "needs root and scripts/test.sh's cloud-named registries (cloud-names.sh) and Azure stand-ins"))
struct AzureHelperProcessTests {
    static let registry = CloudNames.azure
    static let username = "00000000-0000-0000-0000-000000000000"
    let home = TemporaryDirectory()
    let names: CloudNames
    let cloud: (server: String, exchangePort: Int, directory: String)

    init() throws {
        names = try #require(CloudNames.bed)
        cloud = try #require(TestServers.cloud)
    }

    func azure(_ name: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(cloud.directory)/azure.json"))
        return try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?[name] as? String)
    }

    /// A service principal's variables, Entra ID at the stand-in, the front's CA through OSSB_CERTS_D.
    func environment(certs: String? = nil) throws -> [String: String] {
        [
            "HOME": home.path, "AZURE_CLIENT_ID": try azure("client_id"), "AZURE_TENANT_ID": try azure("tenant"),
            "AZURE_CLIENT_SECRET": try azure("client_secret"), "AZURE_AUTHORITY_HOST": "http://\(cloud.server)",
            "OSSB_CERTS_D": certs ?? names.certsDirectory, "OSSB_EXPLAIN": "1",
        ]
    }

    /// Runs a built program in the namespace where the cloud names resolve to the front.
    func run(_ program: String, _ arguments: [String], input: String, environment: [String: String]) throws
        -> ChildProcess.Result
    {
        let (executable, wrapped) = try names.command(ChildProcess.product(program), arguments)
        return try ChildProcess.run(executable, wrapped, input: input, environment: environment)
    }

    @Test func theHelperExchangesAtTheRegistryThenServesFromTheCache() throws {
        let exchanges = try names.stats(Self.registry)["exchanges"] ?? 0
        let first = try run("docker-credential-ossb-acr", ["get"], input: Self.registry, environment: try environment())
        #expect(first.status == 0, "\(first)")
        #expect(
            first.stdout.hasPrefix(#"{"ServerURL":"\#(Self.registry)","Username":"\#(Self.username)","Secret":""#),
            "\(first)")
        let token = try #require(first.helperSecret)
        #expect(first.stderr.contains("https://\(Self.registry)/oauth2/exchange"), "\(first.stderr)")
        #expect(first.stderr.contains("TLS for \(Self.registry): system CAs plus"), "\(first.stderr)")
        let after = try names.stats(Self.registry)["exchanges"] ?? 0
        #expect(after > exchanges, "the exchange reached the registry")
        let clientSecret = try azure("client_secret")
        #expect(!first.stderr.contains(token) && !first.stderr.contains(clientSecret))

        let second = try run(
            "docker-credential-ossb-acr", ["get"], input: Self.registry, environment: try environment())
        #expect(second.helperSecret == token, "\(second)")
        #expect(second.stderr.contains("served from the token cache"), "\(second.stderr)")
    }

    /// `name:443` is the same registry: the exchange's `service` must be the bare name, which the registry checks
    /// against its Host header.
    @Test func theDefaultPortWrittenOutNamesTheSameService() throws {
        let result = try run(
            "docker-credential-ossb-acr", ["get"], input: "https://\(Self.registry):443", environment: try environment()
        )
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains(#""Username":"\#(Self.username)""#), "\(result)")
    }

    @Test func withoutTheRegistrysCAThereIsNoExchange() throws {
        let empty = home.file("no-certs")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let result = try run(
            "docker-credential-ossb-acr", ["get"], input: Self.registry, environment: try environment(certs: empty))
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.contains("https://\(Self.registry)"), "\(result)")
        #expect(result.stdout.split(separator: "\n").count == 1, "one line: \(result.stdout)")
        let clientSecret = try azure("client_secret")
        #expect(!result.stdout.contains(clientSecret))
    }

    @Test func theFrontAndTheKubeletPluginAnswerForTheAzureName() throws {
        let front = try run("docker-credential-ossb", ["get"], input: Self.registry, environment: try environment())
        #expect(front.status == 0, "\(front)")
        #expect(
            front.stdout.hasPrefix(#"{"ServerURL":"\#(Self.registry)","Username":"\#(Self.username)","Secret":""#),
            "\(front)")
        #expect(front.stderr.contains("answered by cloud"), "\(front.stderr)")

        let request =
            #"{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":"\#(Self.registry)/team/app:1"}"#
            + "\n"
        let plugin = try run(
            "ossb-kubelet-credential-provider", ["--cache-duration=1h"], input: request,
            environment: try environment())
        #expect(plugin.status == 0, "\(plugin)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(plugin.stdout.utf8)) as? [String: Any])
        #expect(object["cacheDuration"] as? String == "5m0s", "\(plugin.stdout)")
        let auth = try #require(object["auth"] as? [String: [String: String]])
        #expect(auth[Self.registry]?["username"] == Self.username, "\(plugin.stdout)")
        #expect(auth[Self.registry]?["password"] == front.helperSecret, "the plugin's answer came from the cache")
    }

    @Test func aLookalikeIsNotSentToTheAzureHelper() throws {
        for program in ["docker-credential-ossb", "docker-credential-ossb-acr"] {
            let result = try run(
                program, ["get"], input: CloudNames.azureLookalike, environment: try environment())
            #expect(result.status == 1 && result.stdout == "credentials not found in native keychain\n", "\(result)")
        }
        let request =
            #"{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":"\#(CloudNames.azureLookalike)/app:1"}"#
            + "\n"
        let plugin = try run(
            "ossb-kubelet-credential-provider", [], input: request, environment: try environment())
        #expect(!plugin.stdout.contains(Self.username), "\(plugin)")
        #expect(try names.stats(CloudNames.azureLookalike)["exchanges"] == 0)
    }

    /// A service principal with a certificate instead of a secret: the variables of Azure's
    /// `ClientCertificateCredential`.
    func certificateEnvironment(_ path: String, extra: [String: String] = [:]) throws -> [String: String] {
        var environment = try environment()
        environment["AZURE_CLIENT_SECRET"] = nil
        environment["AZURE_CLIENT_CERTIFICATE_PATH"] = path
        return environment.merging(extra) { $1 }
    }

    /// Nothing of the key or of a signed assertion (`{"alg":"RS256",` in base64url) in what the helper printed.
    func expectNoKeyMaterial(_ result: ChildProcess.Result, sourceLocation: SourceLocation = #_sourceLocation) {
        for output in [result.stdout, result.stderr] {
            #expect(
                !output.contains("PRIVATE KEY") && !output.contains("eyJhbGciOiJSUzI1NiIs"),
                sourceLocation: sourceLocation)
        }
    }

    @Test func aRegisteredCertificateGetsATokenAndExplainsItsFileAndThumbprint() throws {
        let path = try azure("certificate_file")
        let result = try run(
            "docker-credential-ossb-acr", ["get"], input: Self.registry, environment: try certificateEnvironment(path))
        #expect(result.status == 0, "\(result)")
        #expect(
            result.stdout.hasPrefix(#"{"ServerURL":"\#(Self.registry)","Username":"\#(Self.username)","Secret":""#),
            "\(result)")
        #expect(result.stderr.contains("client certificate"), "\(result.stderr)")
        #expect(result.stderr.contains(path), "\(result.stderr)")
        #expect(result.stderr.contains(try azure("certificate_thumbprint_hex")), "\(result.stderr)")
        #expect(!result.stderr.contains(try #require(result.helperSecret)))
        expectNoKeyMaterial(result)
    }

    /// The key first and in PKCS#1 form, and the chain sent in `x5c` (which the stand-in checks against `x5t`).
    @Test func theKeyFirstAndTheChainSentAreAccepted() throws {
        let keyFirst = try run(
            "docker-credential-ossb-acr", ["get"], input: Self.registry,
            environment: try certificateEnvironment(try azure("certificate_key_first_file")))
        #expect(keyFirst.status == 0, "\(keyFirst)")
        let chainHome = home.file("chain")
        try FileManager.default.createDirectory(atPath: chainHome, withIntermediateDirectories: true)
        let chain = try run(
            "docker-credential-ossb-acr", ["get"], input: Self.registry,
            environment: try certificateEnvironment(
                try azure("certificate_file"),
                extra: ["HOME": chainHome, "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN": "1"]))
        #expect(chain.status == 0, "\(chain)")
        #expect(chain.stderr.contains("sending its chain"), "\(chain.stderr)")
        expectNoKeyMaterial(chain)
    }

    @Test func aCertificateTheTenantDoesNotKnowIsRefusedWithWhatToDo() throws {
        let path = try azure("unknown_certificate_file")
        let result = try run(
            "docker-credential-ossb-acr", ["get"], input: Self.registry, environment: try certificateEnvironment(path))
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.split(separator: "\n").count == 1, "one line: \(result.stdout)")
        #expect(result.stdout.contains("AADSTS700027"), "\(result.stdout)")
        #expect(result.stdout.contains(path) && result.stdout.contains("upload the certificate"), "\(result.stdout)")
        expectNoKeyMaterial(result)
    }

    /// Files that cannot be used are refused before anything is sent, each with one line naming the file.
    @Test func unusableCertificateFilesAreRefusedWithOneLineEach() throws {
        let unknown = try String(contentsOfFile: try azure("unknown_certificate_file"), encoding: .utf8)
        let foreignKey = try #require(unknown.range(of: "-----BEGIN PRIVATE KEY-----")).lowerBound
        let mismatched = home.file("mismatched.pem")
        try
            (try String(contentsOfFile: try azure("certificate_without_key_file"), encoding: .utf8)
            + unknown[foreignKey...]).write(toFile: mismatched, atomically: true, encoding: .utf8)
        let keyOnly = home.file("key-only.pem")
        try String(unknown[foreignKey...]).write(toFile: keyOnly, atomically: true, encoding: .utf8)
        let pfx = try azure("certificate_pfx_file")
        let cases: [(path: String, extra: [String: String], says: String)] = [
            (try azure("certificate_without_key_file"), [:], "holds no private key"),
            (keyOnly, [:], "holds no certificate"),
            (mismatched, [:], "does not belong to its certificate"),
            (home.file("absent.pem"), [:], "does not exist"),
            (home.path, [:], "cannot read"),
            (pfx, [:], "is a PFX file protected by a password"),
        ]
        for (path, extra, says) in cases {
            let result = try run(
                "docker-credential-ossb-acr", ["get"], input: Self.registry,
                environment: try certificateEnvironment(path, extra: extra))
            #expect(result.status == 1, "\(result)")
            #expect(result.stdout.split(separator: "\n").count == 1, "one line: \(result.stdout)")
            #expect(result.stdout.contains(path) && result.stdout.contains(says), "\(result.stdout)")
            #expect(!result.stdout.contains("ossb\""), "the password is not echoed")
            expectNoKeyMaterial(result)
        }
    }

    /// A client secret keeps priority over a certificate, as in Azure's SDKs.
    @Test func aClientSecretComesBeforeACertificate() throws {
        var environment = try environment()
        environment["AZURE_CLIENT_CERTIFICATE_PATH"] = home.file("absent.pem")
        let result = try run("docker-credential-ossb-acr", ["get"], input: Self.registry, environment: environment)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("client secret of"), "\(result.stderr)")
    }
}

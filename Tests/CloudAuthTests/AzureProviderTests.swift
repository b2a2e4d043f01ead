import AuthCore
import CloudAuth
import Foundation
import HTTPTransport
import OSSBTestSupport
import RegistryClient
import Testing

/// The Azure provider against the stand-ins: Entra ID by secret, certificate, workload identity and managed identity, the
/// registry exchange over verified https, and the resulting identity token at the token-auth registry.
@Suite(.enabled(if: CloudBed.available, "needs scripts/test.sh's Google and Azure stand-ins"))
struct AzureProviderTests {
    let bed: CloudBed
    let lines = ExplainLines()
    let provider = AzureProvider()

    init() throws { bed = try CloudBed() }

    var authority: String { "http://\(bed.server)" }

    func clientSecretVariables(secret: String? = nil) throws -> [String: String] {
        [
            "AZURE_CLIENT_ID": try bed.azure("client_id"), "AZURE_TENANT_ID": try bed.azure("tenant"),
            "AZURE_CLIENT_SECRET": try secret ?? bed.azure("client_secret"), "AZURE_AUTHORITY_HOST": authority,
        ]
    }

    func credential(_ variables: [String: String], trustExchange: Bool = true) async throws -> CloudCredential {
        try await provider.credential(
            for: bed.acrHost, in: try bed.context(variables, lines: lines, trustExchange: trustExchange))
    }

    /// Checks a minted identity token's shape and that explanations hid every secret involved.
    func expectIdentityToken(
        _ got: CloudCredential, identity: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(got.username == "00000000-0000-0000-0000-000000000000", sourceLocation: sourceLocation)
        #expect(got.identity == identity, sourceLocation: sourceLocation)
        #expect(
            abs((got.expiresAt ?? 0) - (now + 10800)) < 30, "the refresh token's own expiry",
            sourceLocation: sourceLocation)
        let federated = try String(contentsOfFile: try bed.azure("federated_token_file"), encoding: .utf8)
        lines.expectNone(
            of: [got.secret, try bed.azure("client_secret"), federated, try bed.azure("identity_header")],
            sourceLocation: sourceLocation)
    }

    @Test func clientSecretIsExchangedForAnIdentityToken() async throws {
        let got = try await credential(try clientSecretVariables())
        try expectIdentityToken(got, identity: try bed.azure("client_id"))
        #expect(lines.all.contains { $0.contains("/oauth2/exchange") })
    }

    @Test func aWrongClientSecretIsRefusedWithWhatToDo() async throws {
        let message = await cloudError { try await credential(try clientSecretVariables(secret: "wrong-secret-value")) }
        #expect(message.hasPrefix("Azure:"), "\(message)")
        #expect(message.contains("401") && message.contains("AADSTS7000215"), "\(message)")
        #expect(message.contains("AZURE_CLIENT_SECRET"), "\(message)")
        #expect(!message.contains("wrong-secret-value"))
    }

    @Test func workloadIdentityUsesTheFederatedTokenFile() async throws {
        let got = try await credential([
            "AZURE_CLIENT_ID": try bed.azure("client_id"), "AZURE_TENANT_ID": try bed.azure("tenant"),
            "AZURE_FEDERATED_TOKEN_FILE": try bed.azure("federated_token_file"), "AZURE_AUTHORITY_HOST": authority,
        ])
        try expectIdentityToken(got, identity: try bed.azure("client_id"))
        #expect(lines.all.contains { $0.contains("workload identity") })
    }

    @Test func aClientCertificateIsExchangedForAnIdentityToken() async throws {
        let path = try bed.azure("certificate_file")
        let thumbprint = try bed.azure("certificate_thumbprint_hex")
        let got = try await credential(try certificateVariables(path))
        try expectIdentityToken(got, identity: try bed.azure("client_id"))
        #expect(lines.all.contains { $0.contains(path) && $0.contains(thumbprint) }, "\(lines.all)")
        #expect(!lines.all.contains { $0.contains("PRIVATE KEY") || $0.contains("eyJhbGciOiJSUzI1NiIs") })
    }

    /// A renewed certificate (new content at the same path) is another identity in the token cache.
    @Test func aRenewedCertificateIsAnotherIdentity() throws {
        let path = bed.scratch.file("sp.pem")
        try FileManager.default.copyItem(atPath: try bed.azure("certificate_file"), toPath: path)
        let context = try bed.context(try certificateVariables(path), lines: lines)
        let before = try provider.identity(for: bed.acrHost, in: context)
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: try bed.azure("certificate_key_first_file"), toPath: path)
        let after = try provider.identity(for: bed.acrHost, in: context)
        #expect(before?.contains("certificate \(path)") == true, "\(before ?? "")")
        #expect(after != nil && before != after)
    }

    func certificateVariables(_ path: String) throws -> [String: String] {
        [
            "AZURE_CLIENT_ID": try bed.azure("client_id"), "AZURE_TENANT_ID": try bed.azure("tenant"),
            "AZURE_CLIENT_CERTIFICATE_PATH": path, "AZURE_AUTHORITY_HOST": authority,
        ]
    }

    @Test func aFederatedTokenEntraIDDoesNotTrustIsRefused() async throws {
        try bed.scratch.write("forged-token", "forged.federated.token")
        let message = await cloudError {
            try await credential([
                "AZURE_CLIENT_ID": try bed.azure("client_id"), "AZURE_TENANT_ID": try bed.azure("tenant"),
                "AZURE_FEDERATED_TOKEN_FILE": bed.scratch.file("forged-token"), "AZURE_AUTHORITY_HOST": authority,
            ])
        }
        #expect(message.contains("401") && message.contains("federated credential"), "\(message)")
        #expect(!message.contains("forged.federated.token"))
    }

    @Test func managedIdentityFromTheInstanceMetadataService() async throws {
        let got = try await credential(["AZURE_POD_IDENTITY_AUTHORITY_HOST": authority])
        try expectIdentityToken(got, identity: try bed.azure("managed_identity_client_id"))
    }

    @Test func managedIdentityFromAppServicesEndpoint() async throws {
        let got = try await credential([
            "IDENTITY_ENDPOINT": "\(authority)/msi/token", "IDENTITY_HEADER": try bed.azure("identity_header"),
        ])
        try expectIdentityToken(got, identity: try bed.azure("managed_identity_client_id"))
    }

    @Test func theIMDSStandInRequiresTheMetadataHeader() async throws {
        let url = URL(
            string:
                "\(authority)/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://containerregistry.azure.net"
        )!
        #expect(try await CurlHTTPClient().send(HTTPRequest(url: url)).status == 400)
    }

    @Test func withNothingToAskTheErrorNamesEverySourceAndWhatToDo() async throws {
        let message = await cloudError {
            // No az on PATH: the chain's last source is absent too.
            try await credential(["AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:1", "PATH": bed.scratch.path])
        }
        #expect(message.hasPrefix("no Azure credentials"), "\(message)")
        #expect(
            message.contains("AZURE_CLIENT_SECRET") && message.contains("AZURE_CLIENT_CERTIFICATE_PATH")
                && message.contains("AZURE_FEDERATED_TOKEN_FILE"), "\(message)")
        #expect(message.contains("managed identity"), "\(message)")
        #expect(message.contains("run `az login`"), "\(message)")
    }

    /// IMDS's 400 (no such managed identity on this machine) goes on to the Azure CLI, as in Azure's SDKs; with no
    /// az either, the last line says both.
    @Test func aMachineWithoutTheManagedIdentityGoesOnToTheAzureCLI() async throws {
        let message = await cloudError {
            try await credential([
                "AZURE_POD_IDENTITY_AUTHORITY_HOST": authority, "AZURE_CLIENT_ID": "not-this-machines-identity",
                "PATH": bed.scratch.path,
            ])
        }
        #expect(message.hasPrefix("no Azure credentials"), "\(message)")
        #expect(message.contains("has no managed identity not-this-machines-identity here (400)"), "\(message)")
        #expect(message.contains("the Azure CLI (az) is not on PATH") && message.contains("run `az login`"))
    }

    /// Where something between answers for the metadata address with an error that is not JSON (a proxy denying
    /// 169.254.169.254, as on some networks and this project's own build machines), that is not Azure: the chain
    /// goes on to the Azure CLI instead of ending at the proxy's page.
    @Test(.enabled(if: TestServers.http != nil, "needs scripts/test.sh's HTTP test server"))
    func aProxyAnsweringForTheMetadataAddressGoesOnToTheAzureCLI() async throws {
        let proxy = try #require(TestServers.http).main
        let message = await cloudError {
            try await credential(["AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://\(proxy)", "PATH": bed.scratch.path])
        }
        #expect(message.hasPrefix("no Azure credentials"), "\(message)")
        #expect(message.contains("is not the instance metadata service answered 403"), "\(message)")
        #expect(message.contains("the Azure CLI (az) is not on PATH") && message.contains("run `az login`"))
    }

    /// Every `az login`, `az logout` and `az account set` rewrites azureProfile.json: another login is another
    /// identity in the token cache, the same profile the same one.
    @Test func anotherAzureCLILoginIsAnotherIdentity() throws {
        let directory = bed.scratch.file("azure-config")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let context = try bed.context(["AZURE_CONFIG_DIR": directory], lines: lines)
        let profile = "\(directory)/azureProfile.json"
        try #"{"subscriptions": [{"user": {"name": "alice@example.com"}}]}"#.write(
            toFile: profile, atomically: true, encoding: .utf8)
        let alice = try provider.identity(for: bed.acrHost, in: context)
        #expect(try provider.identity(for: bed.acrHost, in: context) == alice)
        try #"{"subscriptions": [{"user": {"name": "bob@example.com"}}]}"#.write(
            toFile: profile, atomically: true, encoding: .utf8)
        let bob = try provider.identity(for: bed.acrHost, in: context)
        #expect(alice?.contains(profile) == true && bob != nil && alice != bob, "\(alice ?? "") / \(bob ?? "")")
    }

    @Test func theExchangeGoesOnlyToARegistryWithAVerifiedCertificate() async throws {
        let message = await cloudError { try await credential(try clientSecretVariables(), trustExchange: false) }
        #expect(
            message.contains("cannot reach the registry") && message.contains("https://ossbtest.azurecr.io"),
            "\(message)")
        #expect(!message.contains(try bed.azure("client_secret")))
    }

    /// The whole chain: Entra ID, the exchange, then the identity token at a real docker-registry's token server,
    /// which accepts it as an OAuth2 refresh token for its pull-only user.
    @Test(.enabled(if: TestServers.token != nil, "needs scripts/test.sh's token registry"))
    func theIdentityTokenPullsFromATokenAuthRegistry() async throws {
        let got = try await credential(try clientSecretVariables())
        try await bed.expectPullFromTheTokenRegistry(got)
    }
}

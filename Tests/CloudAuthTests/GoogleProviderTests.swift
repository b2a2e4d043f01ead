import AuthCore
import CloudAuth
import Foundation
import HTTPTransport
import OSSBTestSupport
import Testing

/// The Google provider against the stand-ins: each credential type, refusals, and what explanations show.
@Suite(.enabled(if: CloudBed.available, "needs scripts/test.sh's Google and Azure stand-ins"))
struct GoogleProviderTests {
    let bed: CloudBed
    let lines = ExplainLines()
    let provider = GoogleProvider()

    init() throws { bed = try CloudBed() }

    func credential(_ variables: [String: String]) async throws -> CloudCredential {
        try await provider.credential(for: "us-docker.pkg.dev", in: try bed.context(variables, lines: lines))
    }

    @Test func serviceAccountKeyFileGetsAnAccessToken() async throws {
        let key = try bed.json("google-sa.json")
        let got = try await credential(["GOOGLE_APPLICATION_CREDENTIALS": "\(bed.directory)/google-sa.json"])
        #expect(got.username == "oauth2accesstoken")
        #expect(got.secret.hasPrefix("ya29."))
        #expect(got.identity == key["client_email"] as? String)
        #expect(abs((got.expiresAt ?? 0) - (now + 3599)) < 30)
        let privateKey = try #require(key["private_key"] as? String)
        let keyBody = privateKey.split(separator: "\n").dropFirst().first.map(String.init) ?? ""
        lines.expectNone(of: [got.secret, keyBody])
        #expect(lines.all.contains { $0.contains("service_account") && $0.contains("ossb-test@") })
    }

    /// The access token at a real docker-registry's token server, which takes it as the password of
    /// `oauth2accesstoken` as Artifact Registry does.
    @Test(.enabled(if: TestServers.token != nil, "needs scripts/test.sh's token registry"))
    func theAccessTokenPullsFromATokenAuthRegistry() async throws {
        let got = try await credential(["GOOGLE_APPLICATION_CREDENTIALS": "\(bed.directory)/google-sa.json"])
        try await bed.expectPullFromTheTokenRegistry(got)
    }

    @Test func aKeyTheAccountDoesNotHaveIsRefusedWithWhatToDo() async throws {
        let path = "\(bed.directory)/google-sa-wrong-key.json"
        let message = await cloudError { try await credential(["GOOGLE_APPLICATION_CREDENTIALS": path]) }
        #expect(message.hasPrefix("Google Cloud:"), "\(message)")
        #expect(message.contains("401") && message.contains("Invalid JWT Signature"), "\(message)")
        #expect(message.contains("create a new key"), "\(message)")
        let keyBody = try #require(
            (try bed.json("google-sa-wrong-key.json")["private_key"] as? String)?.split(separator: "\n")[1])
        #expect(!message.contains(keyBody))
    }

    @Test func aKeyThatIsNotPEMIsNamedWithoutQuotingIt() async throws {
        var key = try bed.json("google-sa.json")
        key["private_key"] = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n"
        let path = bed.scratch.file("broken-key.json")
        try JSONSerialization.data(withJSONObject: key).write(to: URL(fileURLWithPath: path))
        let message = await cloudError { try await credential(["GOOGLE_APPLICATION_CREDENTIALS": path]) }
        #expect(message.contains("private_key of \(path) cannot be used"), "\(message)")
        #expect(!message.contains("bm90IGEga2V5"))
    }

    @Test func aTokenURIOverPlainHTTPToAnotherHostIsRefusedBeforeSending() async throws {
        var key = try bed.json("google-sa.json")
        key["token_uri"] = "http://oauth2.example.com/token"
        let path = bed.scratch.file("http-key.json")
        try JSONSerialization.data(withJSONObject: key).write(to: URL(fileURLWithPath: path))
        let message = await cloudError { try await credential(["GOOGLE_APPLICATION_CREDENTIALS": path]) }
        #expect(message.contains("plain http") && message.contains("https"), "\(message)")
    }

    @Test func gcloudsWellKnownFileServesAnAuthorizedUser() async throws {
        let user = try bed.json("google-user.json")
        try bed.scratch.write(
            "home/.config/gcloud/application_default_credentials.json",
            String(
                decoding: try Data(contentsOf: URL(fileURLWithPath: "\(bed.directory)/google-user.json")), as: UTF8.self
            ))
        let got = try await credential([:])
        #expect(got.identity == user["client_id"] as? String)
        #expect(got.secret.hasPrefix("ya29."))
        lines.expectNone(of: [
            got.secret, user["client_secret"] as? String ?? "", user["refresh_token"] as? String ?? "",
        ])
        #expect(lines.all.contains { $0.contains("application_default_credentials.json") })
    }

    @Test func aRevokedClientSecretIsRefusedWithWhatToDo() async throws {
        var user = try bed.json("google-user.json")
        user["client_secret"] = "not-the-secret"
        let path = bed.scratch.file("user.json")
        try JSONSerialization.data(withJSONObject: user).write(to: URL(fileURLWithPath: path))
        let message = await cloudError { try await credential(["GOOGLE_APPLICATION_CREDENTIALS": path]) }
        #expect(message.contains("401") && message.contains("gcloud auth application-default login"), "\(message)")
        #expect(!message.contains("not-the-secret"))
    }

    @Test func workloadIdentityFederationWithAFileSourcedToken() async throws {
        let got = try await credential(["GOOGLE_APPLICATION_CREDENTIALS": "\(bed.directory)/google-external-file.json"])
        #expect(got.secret.hasPrefix("fed."))
        #expect(got.identity.hasPrefix("//iam.googleapis.com/projects/123456/"))
        let subject = try String(contentsOfFile: "\(bed.directory)/subject-token", encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        lines.expectNone(of: [got.secret, subject])
    }

    @Test func workloadIdentityFederationWithAURLSourcedTokenAndImpersonation() async throws {
        let got = try await credential(["GOOGLE_APPLICATION_CREDENTIALS": "\(bed.directory)/google-external-url.json"])
        #expect(got.identity == "ossb-impersonated@ossb-test.iam.gserviceaccount.com")
        #expect(got.secret.hasPrefix("ya29."))
        #expect(abs((got.expiresAt ?? 0) - (now + 3600)) < 30)
        #expect(lines.all.contains { $0.contains("impersonating ossb-impersonated@") })
        lines.expectNone(of: [got.secret])
    }

    @Test func aSubjectTokenTheProviderDoesNotTrustIsRefused() async throws {
        var config = try bed.json("google-external-file.json")
        try bed.scratch.write("subject", "forged-subject-token")
        config["credential_source"] = ["file": bed.scratch.file("subject")]
        let path = bed.scratch.file("external.json")
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
        let message = await cloudError { try await credential(["GOOGLE_APPLICATION_CREDENTIALS": path]) }
        #expect(
            message.contains("STS") && message.contains("invalid_grant") && message.contains("trusts"), "\(message)")
        #expect(!message.contains("forged-subject-token"))
    }

    @Test func theMetadataServerServesWhenNoFileIsConfigured() async throws {
        let got = try await credential(["GCE_METADATA_HOST": bed.server])
        #expect(got.identity == (try bed.azure("metadata_email")))
        #expect(got.secret.hasPrefix("ya29."))
        lines.expectNone(of: [got.secret])
    }

    @Test func theMetadataStandInRequiresTheFlavorHeader() async throws {
        let url = URL(string: "http://\(bed.server)/computeMetadata/v1/instance/service-accounts/default/token")!
        #expect(try await CurlHTTPClient().send(HTTPRequest(url: url)).status == 403)
    }

    @Test func withNothingToAskTheErrorNamesEverySourceAndWhatToDo() async throws {
        let message = await cloudError { try await credential(["GCE_METADATA_HOST": "127.0.0.1:1"]) }
        #expect(message.hasPrefix("no Google Cloud credentials"), "\(message)")
        #expect(message.contains("GOOGLE_APPLICATION_CREDENTIALS is unset"), "\(message)")
        #expect(
            message.contains("application_default_credentials.json") && message.contains("127.0.0.1:1"), "\(message)")
        #expect(message.contains("gcloud auth application-default login"), "\(message)")
    }

    @Test func aMissingCredentialsFileIsAnErrorNotAFallback() async throws {
        let message = await cloudError {
            try await credential([
                "GOOGLE_APPLICATION_CREDENTIALS": bed.scratch.file("absent.json"), "GCE_METADATA_HOST": bed.server,
            ])
        }
        #expect(message.contains("does not exist") && message.contains("absent.json"), "\(message)")
    }
}

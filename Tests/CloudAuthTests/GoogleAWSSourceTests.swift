import AuthCore
import Foundation
import Testing

@testable import CloudAuth

/// The AWS subject token's exact form, which the stand-in's STS reads without regard to header case: Google's
/// Python library's header names, sorted, and its JSON members, with nothing sent anywhere (the environment holds
/// the region and the key, so no metadata request is made).
@Suite struct GoogleAWSSourceTests {
    static let audience = "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/a"

    func subjectToken(_ source: JSONObject, _ variables: [String: String]) async throws -> String {
        let context = CloudContext(
            environment: Environment(variables), http: UnusedHTTPClient(), now: { 1_440_938_160 })
        let file = GoogleCredentialFile(path: "/config.json", object: JSONObject())
        return try await GoogleAWSSource(
            file: file, source: source, audience: Self.audience,
            http: CloudHTTP(cloud: "Google Cloud", context: context)
        ).subjectToken()
    }

    @Test func theSignedRequestIsSerialisedAsGooglesLibrariesDo() async throws {
        let source = JSONObject([
            .init(name: "environment_id", value: .string("aws1")),
            .init(
                name: "regional_cred_verification_url",
                value: .string("https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15")),
        ])
        let token = try await subjectToken(
            source,
            [
                "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                "AWS_SESSION_TOKEN": "session", "AWS_DEFAULT_REGION": "eu-west-1",
            ])
        #expect(!token.contains("{") && !token.contains("\""), "percent-encoded")
        let decoded = try #require(token.removingPercentEncoding)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(decoded.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "POST")
        #expect(
            object["url"] as? String
                == "https://sts.eu-west-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15")
        let headers = try #require(object["headers"] as? [[String: String]])
        #expect(
            headers.compactMap { $0["key"] } == [
                "Authorization", "host", "x-amz-date", "x-amz-security-token", "x-goog-cloud-target-resource",
            ])
        let values = Dictionary(
            uniqueKeysWithValues: headers.compactMap { h in h["key"].map { ($0, h["value"] ?? "") } })
        #expect(values["host"] == "sts.eu-west-1.amazonaws.com")
        #expect(values["x-amz-date"] == "20150830T123600Z")
        #expect(values["x-goog-cloud-target-resource"] == Self.audience)
        #expect(
            values["Authorization"]?.hasPrefix(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/sts/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token;x-goog-cloud-target-resource, Signature="
            ) == true, "\(values)")
    }

    /// The region is put into the verification URL's host: one from the environment that is not a region name
    /// (`us-east-1.evil.example/`) would move the signed request elsewhere, so it is refused before signing.
    @Test(arguments: ["us-east-1.evil.example/", "eu west 1", "us-east-1?x"])
    func aRegionThatIsNoRegionNameIsRefused(region: String) async throws {
        let source = JSONObject([.init(name: "environment_id", value: .string("aws1"))])
        let variables = [
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "AWS_REGION": region,
        ]
        do {
            let token = try await subjectToken(source, variables)
            Issue.record("signed for \(region.debugDescription): \(token.removingPercentEncoding ?? token)")
        } catch {
            let message = "\(error)"
            #expect(message.contains("AWS_REGION") && message.contains("region name"), "\(message)")
            #expect(!message.contains("wJalrXUtnFEMI"))
        }
    }

    @Test func anotherEnvironmentIDIsRefused() async throws {
        await #expect(throws: CloudAuthError.self) {
            _ = try await subjectToken(JSONObject([.init(name: "environment_id", value: .string("aws2"))]), [:])
        }
    }
}

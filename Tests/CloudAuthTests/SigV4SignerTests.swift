import AuthCore
import Foundation
import Testing

@testable import CloudAuth

/// The signer against botocore's: the same request, keys and moment must give the same signature (botocore's
/// `SigV4Auth` computed the expected value). moto's checking server tests the signer live (ECRHelperProcessTests).
@Suite struct SigV4SignerTests {
    static let credentials = AWSCredentials(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let moment: Int64 = 1_440_938_160  // 2015-08-30T12:36:00Z

    func request() -> HTTPRequest {
        HTTPRequest(
            method: .post, url: URL(string: "https://example.amazonaws.com/")!,
            headers: HTTPHeaders([
                ("Content-Type", "application/x-amz-json-1.1"),
                ("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"),
            ]),
            body: .bytes(Array("{}".utf8)))
    }

    @Test func matchesBotocore() {
        var signed = request()
        SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "ecr").sign(&signed, now: Self.moment)
        #expect(signed.headers["X-Amz-Date"] == "20150830T123600Z")
        #expect(signed.headers["Host"] == "example.amazonaws.com")
        #expect(
            signed.headers["Authorization"]
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ecr/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=f59c1e880168bb8f83d297e760d8a3b649d0aad3e52b276a7d43f2065b44f798"
        )
    }

    @Test func everyInputChangesTheSignature() {
        func signature(
            _ credentials: AWSCredentials = Self.credentials, region: String = "us-east-1", service: String = "ecr",
            now: Int64 = Self.moment
        ) -> String? {
            var signed = request()
            SigV4Signer(credentials: credentials, region: region, service: service).sign(&signed, now: now)
            return signed.headers["Authorization"]
        }
        let base = signature()
        #expect(signature(AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "other")) != base)
        #expect(signature(region: "eu-west-1") != base)
        #expect(signature(service: "sts") != base)
        #expect(signature(now: Self.moment + 1) != base)
        // A session token is sent and signed.
        var signed = request()
        SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "ASIA", secretAccessKey: "s", sessionToken: "session"),
            region: "us-east-1", service: "ecr"
        )
        .sign(&signed, now: Self.moment)
        #expect(signed.headers["X-Amz-Security-Token"] == "session")
        #expect(signed.headers["Authorization"]?.contains("x-amz-security-token") == true)
    }

    @Test func aNonDefaultPortIsPartOfTheHost() {
        #expect(SigV4Signer.hostHeader(URL(string: "http://127.0.0.1:4566/")!) == "127.0.0.1:4566")
        #expect(
            SigV4Signer.hostHeader(URL(string: "https://api.ecr.us-east-1.amazonaws.com:443/")!)
                == "api.ecr.us-east-1.amazonaws.com")
    }

    /// Google's AWS subject token signs GetCallerIdentity with its parameters in the query: SigV4 signs the query
    /// sorted (botocore computed the expected signature for the query given unsorted).
    @Test func aQueryIsSignedSortedAsBotocoreSignsIt() {
        var signed = HTTPRequest(
            method: .post,
            url: URL(string: "https://sts.us-east-1.amazonaws.com?Version=2011-06-15&Action=GetCallerIdentity")!,
            headers: HTTPHeaders([
                (
                    "x-goog-cloud-target-resource",
                    "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/a"
                )
            ]))
        SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "sts").sign(&signed, now: Self.moment)
        #expect(
            signed.headers["Authorization"]
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date;x-goog-cloud-target-resource, Signature=7eb4b0f31c0cd928d23119791ac58e08fb744e0f57f467600550568294ff8d56"
        )
        #expect(SigV4Signer.canonicalQuery("b=2&a=%7e x&a=1") == "a=1&a=~%20x&b=2")
    }
}

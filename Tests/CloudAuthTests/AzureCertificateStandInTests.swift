import AuthCore
import CloudAuth
import Foundation
import HTTPTransport
import OSSBTestSupport
import Testing

/// The Entra ID stand-in refuses the certificate assertions Entra ID refuses, so that a token it hands out means the
/// assertion was right: signed by the registered certificate's key, naming it by thumbprint, for the token URL,
/// from the client, not expired. Each assertion is signed here with the registered key, one claim wrong at a time.
@Suite(.enabled(if: CloudBed.available, "needs scripts/test.sh's Google and Azure stand-ins"))
struct AzureCertificateStandInTests {
    let bed: CloudBed

    init() throws { bed = try CloudBed() }

    var tokenURL: String { get throws { "http://\(bed.server)/\(try bed.azure("tenant"))/oauth2/v2.0/token" } }

    /// The key of a PEM file the stand-in wrote.
    func key(_ file: String) throws -> RSASigningKey {
        try RSASigningKey(pem: try String(contentsOfFile: try bed.azure(file), encoding: .utf8))
    }

    /// Posts an assertion with these claims (the right ones unless overridden) and returns the status and body.
    func post(
        key file: String = "certificate_file", x5t: String? = nil, _ overrides: [String: JSONValue] = [:]
    ) async throws -> (status: Int, text: String) {
        let client = try bed.azure("client_id")
        let now = Int64(Date().timeIntervalSince1970)
        var claims = JSONObject([
            .init(name: "aud", value: .string(try tokenURL)), .init(name: "iss", value: .string(client)),
            .init(name: "sub", value: .string(client)), .init(name: "jti", value: .string(UUID().uuidString)),
            .init(name: "nbf", value: .number(String(now))), .init(name: "exp", value: .number(String(now + 600))),
        ])
        for (name, value) in overrides { claims[name] = value }
        let header: [JSONObject.Member] = [
            .init(name: "x5t", value: .string(try x5t ?? bed.azure("certificate_thumbprint")))
        ]
        let assertion = try JWT.signRS256(claims: claims, keyID: nil, extraHeader: header, key: try key(file))
        let form = [
            ("grant_type", "client_credentials"), ("client_id", client),
            ("scope", "https://containerregistry.azure.net/.default"),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", assertion),
        ]
        var headers = HTTPHeaders()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        let response = try await CurlHTTPClient().send(
            HTTPRequest(
                method: .post, url: try #require(URL(string: try tokenURL)), headers: headers,
                body: .bytes(Array(FormEncoding.encode(form).utf8))))
        return (response.status, response.text)
    }

    @Test func theRightAssertionGetsAToken() async throws {
        let answer = try await post()
        #expect(answer.status == 200 && answer.text.contains("access_token"), "\(answer)")
    }

    @Test func anAssertionWithOneThingWrongIsRefused() async throws {
        let past = Int64(Date().timeIntervalSince1970) - 60
        let cases: [(String, [String: JSONValue], String)] = [
            (
                "another audience", ["aud": .string("https://login.microsoftonline.com/x/oauth2/v2.0/token")],
                "AADSTS700024"
            ),
            ("expired", ["exp": .number(String(past))], "AADSTS700024"),
            ("another issuer", ["iss": .string("00000000-0000-0000-0000-000000000001")], "AADSTS700023"),
        ]
        for (what, overrides, code) in cases {
            let answer = try await post(overrides)
            #expect(answer.status == 401 && answer.text.contains(code), "\(what): \(answer)")
        }
        let foreignKey = try await post(key: "unknown_certificate_file")
        #expect(foreignKey.status == 401 && foreignKey.text.contains("AADSTS700027"), "\(foreignKey)")
        let otherThumbprint = try await post(x5t: "AAAAAAAAAAAAAAAAAAAAAAAAAAA")
        #expect(otherThumbprint.status == 401 && otherThumbprint.text.contains("AADSTS700027"), "\(otherThumbprint)")
    }
}

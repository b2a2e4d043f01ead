import Foundation
import Testing

@testable import AuthCore

@Suite struct TokenResponseTests {
    @Test func acceptsTokenOrAccessToken() throws {
        #expect(try TokenResponse.parse(Array(#"{"token":"a","access_token":"b"}"#.utf8), server: "s").token == "a")
        #expect(try TokenResponse.parse(Array(#"{"access_token":"b"}"#.utf8), server: "s").token == "b")
        #expect(try TokenResponse.parse(Array(#"{"token":"","access_token":"b"}"#.utf8), server: "s").token == "b")
        #expect(throws: RegistryError.self) { try TokenResponse.parse(Array(#"{"expires_in":5}"#.utf8), server: "s") }
        #expect(throws: RegistryError.self) { try TokenResponse.parse(Array("<html>".utf8), server: "s") }
    }

    @Test func expiresInDefaultsTo60AndNeverBelow() throws {
        #expect(try TokenResponse.parse(Array(#"{"token":"a"}"#.utf8), server: "s").expiresIn == 60)
        #expect(try TokenResponse.parse(Array(#"{"token":"a","expires_in":3}"#.utf8), server: "s").expiresIn == 60)
        #expect(try TokenResponse.parse(Array(#"{"token":"a","expires_in":3600}"#.utf8), server: "s").expiresIn == 3600)
        #expect(try TokenResponse.parse(Array(#"{"token":"a","expires_in":-5}"#.utf8), server: "s").expiresIn == 60)
    }

    @Test func issuedAtIsUsedWhenClocksAgree() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let issued = "2027-01-15T07:59:30.123456789Z"  // 30.12 s before `now`
        let response = try TokenResponse.parse(
            Array(#"{"token":"a","expires_in":300,"issued_at":"\#(issued)"}"#.utf8), server: "s")
        let expiry = response.expiry(receivedAt: now).timeIntervalSince1970
        #expect(abs(expiry - (1_800_000_000 - 29.876543211 + 300)) < 0.001)
        // A server clock an hour off is ignored: the time of receipt counts.
        let skewed = try TokenResponse.parse(
            Array(#"{"token":"a","expires_in":300,"issued_at":"2027-01-15T07:00:00+00:00"}"#.utf8), server: "s")
        #expect(skewed.expiry(receivedAt: now).timeIntervalSince1970 == 1_800_000_300)
    }

    @Test func rfc3339Parsing() {
        #expect(RFC3339.parse("1970-01-01T00:00:00Z")?.timeIntervalSince1970 == 0)
        #expect(RFC3339.parse("2000-03-01T01:00:00+01:00")?.timeIntervalSince1970 == 951_868_800)
        #expect(RFC3339.parse("2000-02-29T23:00:00-01:00")?.timeIntervalSince1970 == 951_868_800)
        for bad in ["", "2000-13-01T00:00:00Z", "2000-01-01 00:00:00Z", "2000-01-01T00:00:00", "2000-01-01T00:00:00.Z"]
        {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func descriptionHidesTokens() {
        let r = TokenResponse(token: "secret-token", refreshToken: "secret-refresh")
        #expect(!"\(r)".contains("secret"))
        #expect(!"\(BearerToken(value: "secret-token", expiresAt: Date()))".contains("secret"))
    }
}

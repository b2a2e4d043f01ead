import Testing

@testable import CloudAuth

/// The executable response (version 1) as Google's libraries read it; the process runs are in
/// GoogleExecutableProcessTests.
struct GoogleExecutableSourceTests {
    static let now: Int64 = 1_800_000_000

    func token(_ json: String, needsExpiration: Bool = false) throws(GoogleExecutableSource.Refusal) -> String {
        try GoogleExecutableSource.token(
            in: Array(json.utf8), from: "the command", now: Self.now, needsExpiration: needsExpiration)
    }

    func refusal(_ json: String, needsExpiration: Bool = false) -> GoogleExecutableSource.Refusal? {
        do {
            _ = try token(json, needsExpiration: needsExpiration)
            return nil
        } catch { return error }
    }

    @Test func eachTokenTypeIsReadFromItsMember() throws {
        for type in ["jwt", "id_token"] {
            let json =
                #"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:\#(type)","id_token":"oidc","saml_response":"x"}"#
            #expect(try token(json) == "oidc")
        }
        let saml =
            #"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:saml2","saml_response":"PHNhbWw+","id_token":"x"}"#
        #expect(try token(saml) == "PHNhbWw+")
    }

    @Test func expirationIsOptionalWithoutAnOutputFileAndMayBeAString() throws {
        let bare = #"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"t"}"#
        #expect(try token(bare) == "t")
        #expect(refusal(bare, needsExpiration: true)?.reason.contains("no expiration_time") == true)
        let later =
            #"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"t","expiration_time":"1800000060"}"#
        #expect(try token(later, needsExpiration: true) == "t")
        let bad =
            #"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"t","expiration_time":"soon"}"#
        #expect(refusal(bad)?.reason.contains("not a number of seconds") == true)
    }

    @Test func failuresAndExpiredTokensAreStaleOtherFaultsAreNot() {
        let failure = refusal(#"{"version":1,"success":false,"code":"E1","message":"line one\nline two"}"#)
        #expect(failure?.isStale == true)
        #expect(failure?.reason == "the command reported failure, code E1: line one line two")
        let expired = refusal(
            #"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"secret-t","expiration_time":1800000000}"#
        )
        #expect(expired?.isStale == true && expired?.reason.contains("has passed") == true)
        for json in [
            "", "[]", #"{"success":true}"#, #"{"version":1}"#, #"{"version":"2","success":true}"#,
            #"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":""}"#,
        ] {
            let refused = refusal(json)
            #expect(refused != nil && refused?.isStale == false, "\(json)")
        }
    }

    @Test func noReasonRepeatsTheResponse() {
        for json in [
            #"{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","saml_response":"secret-t"}"#,
            #"{"version":1,"success":true,"token_type":"opaque","id_token":"secret-t"}"#,
            #"{"version":1,"success":true,"id_token":"secret-t""#,
        ] {
            let reason = refusal(json)?.reason ?? "accepted"
            #expect(reason != "accepted" && !reason.contains("secret-t"), "\(reason)")
        }
    }
}

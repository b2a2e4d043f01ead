import AuthCore
import Glibc
import Testing

@testable import CloudAuth

/// What `AzureCLICredential` reads from the Azure CLI's answers: both forms of the expiry, the claims that name
/// who is logged in, and the one line of a failure's stderr.
struct AzureCLICredentialTests {
    let credential = AzureCLICredential(
        context: CloudContext(
            environment: Environment([:]), http: UnusedHTTPClient(), explain: { _ in }, now: { 0 }),
        cloud: "Azure", resource: AzureEntraToken.publicResource)

    /// An unsigned JWT with these claims (the credential never verifies the CLI's token).
    func jwt(_ claims: String) -> String {
        "eyJhbGciOiJub25lIn0." + JWT.base64URL(Array(claims.utf8)) + ".c2ln"
    }

    @Test func newerCLIsEpochSecondsWin() throws {
        let token = jwt(#"{"oid":"user-object","tid":"t1"}"#)
        let got = try credential.parse(
            #"{"accessToken":"\#(token)","expiresOn":"2000-01-01 00:00:00.000000","expires_on":1796102104,"tenant":"t2"}"#,
            tenant: nil)
        #expect(got.token == token && got.expiresAt == 1_796_102_104 && got.tenant == "t2")
        #expect(got.identity == "the Azure CLI's login (object user-object)")
    }

    @Test func olderCLIsLocalTimeIsReadInTheLocalZone() throws {
        let got = try credential.parse(
            #"{"accessToken":"\#(jwt(#"{"appid":"app"}"#))","expiresOn":"2026-12-01 05:15:03.000000"}"#, tenant: "t")
        var fields = tm()
        var seconds = time_t(got.expiresAt ?? 0)
        localtime_r(&seconds, &fields)
        #expect(
            [fields.tm_year + 1900, fields.tm_mon + 1, fields.tm_mday, fields.tm_hour, fields.tm_min, fields.tm_sec]
                == [2026, 12, 1, 5, 15, 3])
        #expect(got.identity == "the Azure CLI's login (client app)" && got.tenant == "t")
    }

    @Test func anAnswerWithoutATokenIsRefusedWithoutRepeatingIt() {
        #expect(throws: CloudAuthError.self) { try credential.parse(#"{"token":"secret-ish"}"#, tenant: nil) }
        do {
            _ = try credential.parse("not json secret-ish", tenant: nil)
        } catch {
            #expect(!error.message.contains("secret-ish"))
        }
    }

    @Test func theReasonIsTheFirstErrorLineMadeInert() {
        #expect(AzureCLICredential.reason("WARNING: slow\nERROR: \u{1B}[2Jbad\nmore\n") == "ERROR: [2Jbad")
        #expect(AzureCLICredential.reason("\nTraceback\n  File x\n") == "Traceback")
        #expect(AzureCLICredential.reason("") == "no message")
        let traceback = """
            ERROR: The command failed with an unexpected error. Here is the traceback:
            Traceback (most recent call last):
              File "/usr/lib/python3/dist-packages/msal/authority.py", line 120, in __init__
                raise ValueError("inner")
            ValueError: Unable to get authority configuration for https://login.microsoftonline.com/dead.
            To check existing issues, please visit: https://github.com/Azure/azure-cli/issues
            """
        #expect(
            AzureCLICredential.reason(traceback)
                == "ValueError: Unable to get authority configuration for https://login.microsoftonline.com/dead.")
    }
}

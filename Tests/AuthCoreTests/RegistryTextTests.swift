import Foundation
import Testing

@testable import AuthCore

/// Registry-supplied text is inert: control characters never reach a terminal, a token cannot carry a header
/// line, and an error body cannot hand back a credential the client sent.
@Suite struct RegistryTextTests {
    @Test func terminalTextRemovesC0AndC1ControlsAndJoinsLines() {
        #expect(TerminalText.sanitized("plain tag v1.2") == "plain tag v1.2")
        #expect(TerminalText.sanitized("\u{1B}[2J\u{1B}]0;title\u{07}x") == "[2J]0;titlex")
        #expect(TerminalText.sanitized("denied\rLogin Succeeded\n") == "denied Login Succeeded ")
        #expect(TerminalText.sanitized("a\u{9B}31mb\u{7F}\u{0}c") == "a31mbc")
        #expect(TerminalText.sanitized("ünïcödé ✓") == "ünïcödé ✓")
        #expect(TerminalText.isInert("ok") && !TerminalText.isInert("a\u{85}b"))
    }

    @Test func registryErrorMessagesAreInert() {
        let body = #"{"errors":[{"code":"DENIED\u001b[2J","message":"\u001b]0;t\u0007no\rLogin Succeeded"}]}"#
        let response = HTTPResponse(status: 403, body: Array(body.utf8), url: URL(string: "http://r/")!)
        let message = RegistryError.from(response, operation: .pullImage, registry: "r").message
        #expect(TerminalText.isInert(message), "\(message.debugDescription)")
        #expect(!message.contains("Login Succeeded"))
    }

    @Test func tokensWithLineBreaksOrSpacesAreRefused() throws {
        for token in ["abc\r\nX-Injected: yes", "abc\ndef", "a b", "nul\u{0}", "ünï"] {
            let body = try JSONSerialization.data(withJSONObject: ["token": token])
            #expect(throws: RegistryError.self, "\(token.debugDescription)") {
                try TokenResponse.parse(Array(body), server: "s")
            }
        }
        let refresh = try JSONSerialization.data(withJSONObject: ["token": "ok", "refresh_token": "r\r\nx"])
        #expect(throws: RegistryError.self) { try TokenResponse.parse(Array(refresh), server: "s") }
        let jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl-_~+/=="
        #expect(try TokenResponse.parse(Array(#"{"token":"\#(jwt)"}"#.utf8), server: "s").token == jwt)
    }

    @Test func headersWithCRLFOrNULAreNotSendable() {
        var headers = HTTPHeaders()
        headers["Authorization"] = "Bearer fine"
        #expect(throws: Never.self) { try headers.checkSendable() }
        for bad in ["a\rb", "a\nb", "a\u{0}b"] {
            var h = headers
            h["X-Test"] = bad
            #expect(throws: HTTPClientError.self) { try h.checkSendable() }
        }
        var secret = HTTPHeaders()
        secret["Authorization"] = "Bearer s3cr3t\r\nX: y"
        do { try secret.checkSendable() } catch { #expect(!"\(error)".contains("s3cr3t")) }
    }

    @Test func errorBodiesEchoingSentCredentialsAreRedacted() {
        var request = HTTPRequest(url: URL(string: "http://r/v2/")!)
        request.headers["Authorization"] = BasicAuthorization.header(username: "user", password: "pass/word+1")
        let basic = request.headers["Authorization"]!
        let echo = #"{"errors":[{"code":"DENIED","message":"got \#(basic) i.e. user:pass/word+1 or pass\/word+1"}]}"#
        let response = HTTPResponse(status: 403, body: Array(echo.utf8), url: request.url)
        let text = SentCredentials(request).redacting(response).text
        #expect(
            !text.contains("pass/word+1") && !text.contains(#"pass\/word+1"#) && !text.contains(basic.dropFirst(6)),
            "\(text)")
        #expect(text.contains("DENIED"))

        var form = HTTPRequest(
            method: .post, url: URL(string: "http://t/token")!,
            body: .bytes(Array(FormEncoding.encode([("grant_type", "password"), ("password", "hunter22")]).utf8)))
        form.bodyCarriesCredentials = true
        let formEcho = HTTPResponse(status: 400, body: Array("bad password hunter22".utf8), url: form.url)
        #expect(SentCredentials(form).redacting(formEcho).text == "bad password <redacted>")
    }
}

import Foundation
import RegistryVocabulary
import Testing

@testable import AuthCore

@Suite struct RedirectFollowingClientTests {
    @Test func dropsCredentialsWhenLeavingTheOriginAndNeverRestoresThem() async throws {
        let client = FakeHTTPClient { request in
            switch (request.url.host ?? "", request.url.port ?? 443, request.url.path) {
            case ("a.example", 443, "/start"):
                return FakeHTTPClient.response(302, "", headers: [("Location", "/same")], for: request)
            case ("a.example", 443, "/same"):
                return FakeHTTPClient.response(
                    307, "", headers: [("Location", "https://a.example:8443/port")], for: request)
            case ("a.example", 8443, "/port"):
                return FakeHTTPClient.response(307, "", headers: [("Location", "https://a.example/back")], for: request)
            default:
                return FakeHTTPClient.response(200, "done", for: request)
            }
        }
        var headers = HTTPHeaders()
        headers["Authorization"] = "Bearer secret"
        headers["Cookie"] = "c=1"
        let response = try await RedirectFollowingClient(client).send(
            HTTPRequest(url: URL(string: "https://a.example/start")!, headers: headers))
        #expect(response.text == "done")
        let sent = client.requests.map { $0.headers["Authorization"] }
        #expect(sent == ["Bearer secret", "Bearer secret", nil, nil], "a different port is another origin")
        #expect(client.requests[2].headers["Cookie"] == nil)
    }

    @Test func schemeChangeIsAnotherOrigin() async throws {
        let client = FakeHTTPClient { request in
            request.url.scheme == "https"
                ? FakeHTTPClient.response(301, "", headers: [("Location", "http://a.example/x")], for: request)
                : FakeHTTPClient.response(200, "", for: request)
        }
        var headers = HTTPHeaders()
        headers["Authorization"] = "Basic x"
        _ = try await RedirectFollowingClient(client).send(
            HTTPRequest(url: URL(string: "https://a.example/")!, headers: headers))
        #expect(client.requests[1].headers["Authorization"] == nil)
    }

    @Test func seeOtherBecomesGetAnd307KeepsTheBody() async throws {
        let client = FakeHTTPClient { request in
            switch request.url.path {
            case "/303": return FakeHTTPClient.response(303, "", headers: [("Location", "/end")], for: request)
            case "/307": return FakeHTTPClient.response(307, "", headers: [("Location", "/end")], for: request)
            default: return FakeHTTPClient.response(200, "", for: request)
            }
        }
        let follow = RedirectFollowingClient(client)
        _ = try await follow.send(
            HTTPRequest(method: .post, url: URL(string: "https://a.example/303")!, body: .bytes([1])))
        #expect(client.requests[1].method == .get)
        #expect(client.requests[1].body.isEmpty)
        _ = try await follow.send(
            HTTPRequest(method: .put, url: URL(string: "https://a.example/307")!, body: .bytes([1])))
        #expect(client.requests[3].method == .put)
        #expect(client.requests[3].body.length == 1)
    }

    @Test func aBodyCarryingCredentialsNeverLeavesTheOrigin() async throws {
        let client = FakeHTTPClient { request in
            request.url.host == "auth.example"
                ? FakeHTTPClient.response(
                    307, "", headers: [("Location", "https://elsewhere.example/token")], for: request)
                : FakeHTTPClient.response(200, #"{"token":"t"}"#, for: request)
        }
        let exchange = TokenExchange(client: RedirectFollowingClient(client))
        await #expect(throws: RegistryError.self) {
            try await exchange.fetch(
                challenge: BearerChallenge(realm: "https://auth.example/token"), scopes: [],
                credentials: Credentials(identityToken: "refresh-secret"), registry: "r")
        }
        #expect(!client.requests.contains { $0.url.host == "elsewhere.example" })
    }

    @Test func redirectLoopsEnd() async {
        let client = FakeHTTPClient { FakeHTTPClient.response(302, "", headers: [("Location", "/again")], for: $0) }
        await #expect(throws: HTTPClientError.self) {
            try await RedirectFollowingClient(client, maximumRedirects: 5).send(
                HTTPRequest(url: URL(string: "https://a.example/")!))
        }
        #expect(client.requests.count == 6)
    }
}

@Suite struct RegistryErrorTests {
    func response(_ status: Int, _ body: String, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: HTTPHeaders(headers), body: Array(body.utf8), url: URL(string: "https://r/")!)
    }

    @Test func decodesRegistryErrorBodies() {
        let e = RegistryError.from(
            response(
                404, #"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}"#),
            operation: .pullImage, registry: "r.example")
        #expect(e.type == .notFound)
        #expect(e.code == "MANIFEST_UNKNOWN")
        #expect(e.message.contains("MANIFEST_UNKNOWN: manifest unknown"))
        #expect(!e.isRetryable)
    }

    @Test func mapsTypesAndRetryability() {
        let cases: [(Int, String, RegistryError.ErrorType, Bool)] = [
            (400, "DIGEST_INVALID", .validation, false), (400, "MANIFEST_INVALID", .manifest, false),
            (400, "BLOB_UPLOAD_INVALID", .blob, false), (403, "DENIED", .authorization, false),
            (429, "TOOMANYREQUESTS", .network, true), (503, "UNAVAILABLE", .network, true),
            (401, "UNAUTHORIZED", .authentication, false),
        ]
        for (status, code, type, retryable) in cases {
            let e = RegistryError.from(
                response(status, #"{"errors":[{"code":"\#(code)"}]}"#),
                operation: RegistryError.Operation(rawValue: "op"), registry: "r")
            #expect(e.type == type, "\(status) \(code)")
            #expect(e.isRetryable == retryable, "\(status) \(code)")
        }
        let network = RegistryError.from(
            HTTPClientError(.connection, "cannot reach r"), operation: RegistryError.Operation(rawValue: "op"),
            registry: "r")
        #expect(network.type == .network && network.isRetryable)
    }

    @Test func insufficientScopeWithCredentialsIsAuthorization() {
        let e = RegistryError.from(
            response(401, "", headers: [("WWW-Authenticate", #"Bearer realm="x",error="insufficient_scope""#)]),
            operation: .pushImage, registry: "r", authenticated: true)
        #expect(e.type == .authorization)
    }

    @Test func longOrMultilineMessagesAreCut() {
        let e = RegistryError.from(
            response(500, #"{"errors":[{"code":"X","message":"line one\nline two"}]}"#),
            operation: RegistryError.Operation(rawValue: "op"), registry: "r")
        #expect(!e.message.contains("line two"))
    }
}

import AuthCore
import Foundation
import HTTPTransport
import OSSBTestSupport
import Testing

/// The redirect and realm rules over real sockets, with libcurl, the project's HTTP test server and the token
/// server (the same rules have unit tests against an in-memory fake; these check them where users meet them).
@Suite(
    .enabled(
        if: TestServers.http != nil && TestServers.token != nil,
        "needs scripts/test.sh's HTTP test server and token server"))
struct RedirectRulesTests {
    let server = TestServers.http!
    let token = TestServers.token!

    func url(_ path: String) -> URL { URL(string: "http://\(server.main)\(path)")! }

    func json(_ response: HTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    @Test func seeOtherTurnsAPostIntoAGetAndTemporaryRedirectKeepsIt() async throws {
        let follow = RedirectFollowingClient(CurlHTTPClient())
        let target = "http://\(server.main)/echo".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let body = Array("a request body".utf8)
        let seeOther = try json(
            try await follow.send(
                HTTPRequest(method: .post, url: url("/redirect?status=303&to=\(target)"), body: .bytes(body))))
        #expect(seeOther["method"] as? String == "GET")
        #expect(seeOther["body_length"] as? Int == 0)
        let headers = try #require(seeOther["headers"] as? [String: String])
        #expect(headers["content-length"] == nil && headers["content-type"] == nil, "no trace of the POST's body")
        let temporary = try json(
            try await follow.send(
                HTTPRequest(method: .post, url: url("/redirect?status=307&to=\(target)"), body: .bytes(body))))
        #expect(temporary["method"] as? String == "POST")
        #expect(temporary["body_length"] as? Int == body.count)
    }

    @Test func aRedirectLoopEndsAfterTheLimit() async throws {
        let id = UUID().uuidString
        let follow = RedirectFollowingClient(CurlHTTPClient(), maximumRedirects: 5)
        await #expect(throws: HTTPClientError.self) {
            _ = try await follow.send(HTTPRequest(url: url("/loop?id=\(id)")))
        }
        let hits = try json(try await CurlHTTPClient().send(HTTPRequest(url: url("/hits?id=\(id)")), sink: nil))
        #expect(hits["hits"] as? Int == 6, "the first request and 5 redirects, then it stops")
    }

    /// A registry announcing the real token server's plain-http realm.
    func fetchThroughRealm(_ realm: String, allowPlainHTTP: Bool, clientID: String) async throws -> HTTPResponse {
        let encoded = realm.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let auth = RegistryAuthenticator(
            registry: HTTPOrigin(url("/"))!,
            credentials: Credentials(username: token.pullUser, password: token.pullPassword),
            client: CurlHTTPClient(), allowPlainHTTP: allowPlainHTTP, clientID: clientID)
        return try await auth.send(HTTPRequest(url: url("/bearer?realm=\(encoded)")), sink: nil)
    }

    func tokenRequests(_ clientID: String) async throws -> Int {
        let stats = try await CurlHTTPClient().send(
            HTTPRequest(url: URL(string: "\(token.realm)/stats?client_id=\(clientID)")!), sink: nil)
        return try json(stats)["token_requests"] as? Int ?? -1
    }

    @Test func aPlainHttpRealmGetsNoCredentialsUnlessTheRegistryMayUsePlainHttp() async throws {
        let realm = "\(token.realm)/token"
        let refusedID = "ossb-test-\(UUID())"
        await #expect(throws: RegistryError.self) {
            _ = try await fetchThroughRealm(realm, allowPlainHTTP: false, clientID: refusedID)
        }
        #expect(try await tokenRequests(refusedID) == 0, "nothing may reach a plain-http realm for a secure registry")
        // The control: for a registry that may use plain http, the same realm answers and the request goes through.
        let allowedID = "ossb-test-\(UUID())"
        let response = try await fetchThroughRealm(realm, allowPlainHTTP: true, clientID: allowedID)
        #expect(response.status == 200)
        #expect(try await tokenRequests(allowedID) == 1)
    }

    @Test func aFileRealmIsRefusedWithoutReadingTheFile() async throws {
        let secret = TemporaryDirectory()
        try secret.write("token.json", #"{"token":"from-a-local-file"}"#)
        do {
            _ = try await fetchThroughRealm(
                "file://\(secret.file("token.json"))", allowPlainHTTP: true, clientID: "ossb-test-\(UUID())")
            Issue.record("a file:// realm was followed")
        } catch let error as RegistryError {
            #expect("\(error)".contains("realm"), "\(error)")
        }
    }
}

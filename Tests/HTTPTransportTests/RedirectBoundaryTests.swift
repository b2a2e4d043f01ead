import AuthCore
import Foundation
import HTTPTransport
import OSSBTestSupport
import Testing

/// The credential boundary over real sockets: the project's server on 127.0.0.1 asks for Basic credentials,
/// then redirects (307) to its twin on 127.0.0.2, another origin, which echoes the headers it received.
@Suite(.enabled(if: TestServers.http != nil, "needs scripts/test.sh's HTTP test server (OSSB_TEST_HTTP_SERVER)"))
struct RedirectBoundaryTests {
    let server = TestServers.http!

    func fetch(_ path: String) async throws -> [String: Any] {
        let auth = RegistryAuthenticator(
            registry: HTTPOrigin(URL(string: "http://\(server.main)/")!)!,
            credentials: Credentials(username: "alice", password: "redirect-secret"), client: CurlHTTPClient(),
            allowPlainHTTP: true)
        let response = try await auth.send(HTTPRequest(url: URL(string: "http://\(server.main)\(path)")!))
        #expect(response.status == 200)
        return try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    @Test func redirectToAnotherOriginCarriesNoAuthorization() async throws {
        let echoed = try await fetch("/basic/blob")
        #expect(echoed["host"] as? String == "127.0.0.2")
        let headers = try #require(echoed["headers"] as? [String: String])
        #expect(headers["authorization"] == nil)
    }

    @Test func redirectWithinTheOriginKeepsAuthorization() async throws {
        // The control: the same flow staying on 127.0.0.1 does carry the credentials, so the test above can fail.
        let echoed = try await fetch("/basic/blob?same=1")
        #expect(echoed["host"] as? String == "127.0.0.1")
        let headers = try #require(echoed["headers"] as? [String: String])
        #expect(headers["authorization"] == BasicAuthorization.header(username: "alice", password: "redirect-secret"))
    }
}

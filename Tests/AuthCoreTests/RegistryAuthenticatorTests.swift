import Foundation
import RegistryVocabulary
import Testing

@testable import AuthCore

/// The authentication loop against an in-memory registry and token server.
@Suite struct RegistryAuthenticatorTests {
    static let registry = HTTPOrigin(scheme: "https", host: "registry.example", port: 443)
    static let challenge = #"Bearer realm="https://auth.example/token",service="registry.example""#

    /// A fake registry: accepts `Bearer good-<n>` tokens whose scope covers what the path needs; the token
    /// server numbers tokens and grants what was asked.
    static func fakeRegistry(granted: Locked<[String: ScopeSet]>, refuseFirstToken: Bool = false) -> FakeHTTPClient {
        let issued = Locked(0)
        return FakeHTTPClient { request in
            if request.url.host == "auth.example" {
                let n = issued.withLock {
                    $0 += 1
                    return $0
                }
                let scopes = ScopeSet(request.queryItems.filter { $0.0 == "scope" }.compactMap { Scope(parsing: $0.1) })
                granted.withLock { $0["good-\(n)"] = scopes }
                return FakeHTTPClient.response(200, #"{"token":"good-\#(n)","expires_in":300}"#, for: request)
            }
            let needs: ScopeSet =
                request.method == .get
                ? [.repository("app", actions: ["pull"])] : [.repository("app", actions: ["pull", "push"])]
            let auth = request.headers["Authorization"] ?? ""
            let token = auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)) : ""
            let held = granted.withLock { $0[token] }
            if let held, held.covers(needs), !(refuseFirstToken && token == "good-1") {
                return FakeHTTPClient.response(200, "ok", for: request)
            }
            let error =
                held == nil
                ? ""
                : (refuseFirstToken && token == "good-1" ? #",error="invalid_token""# : #",error="insufficient_scope""#)
            return FakeHTTPClient.response(
                401, #"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
                headers: [("WWW-Authenticate", challenge + #",scope="\#(needs)""# + error)], for: request)
        }
    }

    func url(_ path: String) -> URL { URL(string: "https://registry.example\(path)")! }

    @Test func challengeThenTokenThenRetry() async throws {
        let granted = Locked<[String: ScopeSet]>([:])
        let client = Self.fakeRegistry(granted: granted)
        let auth = RegistryAuthenticator(
            registry: Self.registry, credentials: Credentials(username: "u", password: "p"), client: client,
            allowPlainHTTP: false)
        let response = try await auth.send(HTTPRequest(url: url("/v2/app/manifests/latest")))
        #expect(response.status == 200)
        #expect(client.requests.count == 3)  // 401, token, retry
        // The next request uses the cached token at once.
        _ = try await auth.send(HTTPRequest(url: url("/v2/app/manifests/other")))
        #expect(client.requests.count == 4)
        #expect(client.requests[3].headers["Authorization"] == "Bearer good-1")
    }

    @Test func insufficientScopeGetsOneFreshTokenWithMergedScope() async throws {
        let granted = Locked<[String: ScopeSet]>([:])
        let client = Self.fakeRegistry(granted: granted)
        let auth = RegistryAuthenticator(
            registry: Self.registry, credentials: Credentials(username: "u", password: "p"), client: client,
            allowPlainHTTP: false)
        _ = try await auth.send(HTTPRequest(url: url("/v2/app/manifests/latest")))
        let push = try await auth.send(
            HTTPRequest(method: .put, url: url("/v2/app/manifests/latest"), body: .bytes([1, 2])))
        #expect(push.status == 200)
        #expect(granted.value["good-2"] == ScopeSet(parsing: "repository:app:pull,push"))
        #expect(client.requests.filter { $0.url.host == "auth.example" }.count == 2)
    }

    @Test func refusedTokenIsReplacedOnceAndRetriedOnce() async throws {
        let granted = Locked<[String: ScopeSet]>([:])
        let client = Self.fakeRegistry(granted: granted, refuseFirstToken: true)
        let auth = RegistryAuthenticator(
            registry: Self.registry, credentials: Credentials(username: "u", password: "p"), client: client,
            allowPlainHTTP: false)
        // First request: 401, token 1, retry refused (invalid_token). One retry only: the 401 is returned.
        let first = try await auth.send(HTTPRequest(url: url("/v2/app/manifests/latest")))
        #expect(first.status == 401)
        #expect(client.requests.count == 3)
        // Next request: token 1 refused, one fresh token, retry succeeds.
        let second = try await auth.send(HTTPRequest(url: url("/v2/app/manifests/latest")))
        #expect(second.status == 200)
        #expect(client.requests.count == 6)
        #expect(client.requests.last?.headers["Authorization"] == "Bearer good-2")
    }

    @Test func concurrentRequestsCauseOneTokenRequest() async throws {
        let granted = Locked<[String: ScopeSet]>([:])
        let client = Self.fakeRegistry(granted: granted)
        let auth = RegistryAuthenticator(
            registry: Self.registry, credentials: nil, client: client, allowPlainHTTP: false)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<20 {
                group.addTask { try await auth.send(HTTPRequest(url: url("/v2/app/blobs/\(i)"))).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 200 })
        #expect(client.requests.filter { $0.url.host == "auth.example" }.count == 1)
    }

    @Test func registryTokenIsSentAsItIs() async throws {
        let client = FakeHTTPClient { FakeHTTPClient.response(200, "", for: $0) }
        let auth = RegistryAuthenticator(
            registry: Self.registry, credentials: Credentials(registryToken: "rt-1"), client: client,
            allowPlainHTTP: false)
        _ = try await auth.send(HTTPRequest(url: url("/v2/")))
        #expect(client.requests.first?.headers["Authorization"] == "Bearer rt-1")
    }

    @Test func basicChallengeSendsBasicCredentialsOnceAndNotElsewhere() async throws {
        let client = FakeHTTPClient { request in
            if request.url.host == "cdn.example" { return FakeHTTPClient.response(200, "blob", for: request) }
            guard request.headers["Authorization"] != nil else {
                return FakeHTTPClient.response(
                    401, "", headers: [("WWW-Authenticate", #"Basic realm="r""#)], for: request)
            }
            return FakeHTTPClient.response(
                307, "", headers: [("Location", "https://cdn.example/blob?sig=1")], for: request)
        }
        let auth = RegistryAuthenticator(
            registry: Self.registry, credentials: Credentials(username: "u", password: "p"), client: client,
            allowPlainHTTP: false)
        let response = try await auth.send(HTTPRequest(url: url("/v2/app/blobs/sha256:1")))
        #expect(response.status == 200)
        #expect(response.url.host == "cdn.example")
        let cdn = client.requests.filter { $0.url.host == "cdn.example" }
        #expect(cdn.count == 1)
        #expect(cdn.first?.headers["Authorization"] == nil, "credentials must not follow a redirect to another origin")
        #expect(client.requests[1].headers["Authorization"] == BasicAuthorization.header(username: "u", password: "p"))
    }

    @Test func wrongBasicPasswordReturnsThe401AfterOneRetry() async throws {
        let client = FakeHTTPClient {
            FakeHTTPClient.response(401, "", headers: [("WWW-Authenticate", #"Basic realm="r""#)], for: $0)
        }
        let auth = RegistryAuthenticator(
            registry: Self.registry, credentials: Credentials(username: "u", password: "wrong"), client: client,
            allowPlainHTTP: false)
        let response = try await auth.send(HTTPRequest(url: url("/v2/")))
        #expect(response.status == 401)
        #expect(client.requests.count == 2)
        let error = RegistryError.from(
            response, operation: RegistryError.Operation(rawValue: "ping"), registry: "registry.example",
            authenticated: true)
        #expect(error.type == .authentication)
    }
}

import AuthCore
import Foundation
import HTTPTransport
import OSSBTestSupport
import RegistryVocabulary
import Synchronization
import Testing

/// The bearer flows against a real docker-registry (distribution 2.8.2) with token auth and the project's token
/// server (scripts/testbed/token-server.py).
@Suite(.enabled(if: TestServers.token != nil, "needs scripts/test.sh's token registry (OSSB_TEST_TOKEN_REGISTRY)"))
struct TokenFlowTests {
    let bed = TestServers.token!
    let transport = CurlHTTPClient()
    var origin: HTTPOrigin { HTTPOrigin(URL(string: "http://\(bed.registry)/")!)! }

    func authenticator(
        _ credentials: Credentials?, clientID: String = "ossb-test-\(UUID())",
        explain: (@Sendable (String) -> Void)? = nil
    ) -> RegistryAuthenticator {
        RegistryAuthenticator(
            registry: origin, credentials: credentials, client: transport, allowPlainHTTP: true, clientID: clientID,
            explain: explain)
    }

    var pusher: Credentials { Credentials(username: bed.user, password: bed.password) }
    var puller: Credentials { Credentials(username: bed.pullUser, password: bed.pullPassword) }
    func repository(_ prefix: String = "ossb") -> String { "\(prefix)/t-\(UUID().uuidString.lowercased().prefix(8))" }

    @Test func getFlowPushesAndPullsWithBasicCredentialsAtTheTokenServer() async throws {
        let auth = authenticator(pusher)
        let repo = repository()
        let digest = try await RegistrySeeder(auth: auth, registry: bed.registry).pushImage(repo, tag: "v1")
        let sink = DigestSink()
        let pulled = try await auth.send(
            RegistrySeeder.manifestRequest(bed.registry, repo, "v1"), scopes: [], sink: sink)
        #expect(pulled.status == 200)
        #expect(sink.finish() == digest, "the manifest's bytes arrive exactly as pushed")
    }

    @Test func anonymousPullOfAPublicRepositoryAndRefusalOfAPrivateOne() async throws {
        let repo = repository("public")
        try await RegistrySeeder(auth: authenticator(pusher), registry: bed.registry).pushImage(repo, tag: "latest")
        let anonymous = authenticator(nil)
        let pulled = try await anonymous.send(RegistrySeeder.manifestRequest(bed.registry, repo, "latest"))
        #expect(pulled.status == 200)

        let privateRepo = repository()
        try await RegistrySeeder(auth: authenticator(pusher), registry: bed.registry).pushImage(
            privateRepo, tag: "latest")
        let refused = try await anonymous.send(RegistrySeeder.manifestRequest(bed.registry, privateRepo, "latest"))
        #expect(refused.status == 401)
        #expect(RegistryError.from(refused, operation: .pullImage, registry: bed.registry).type == .authentication)
    }

    @Test func pullTokenIsReauthorisedForPushWithTheMergedScope() async throws {
        let repo = repository()
        try await RegistrySeeder(auth: authenticator(pusher), registry: bed.registry).pushImage(repo, tag: "v1")
        let clientID = "ossb-test-\(UUID())"
        let auth = authenticator(pusher, clientID: clientID)
        #expect(try await auth.send(RegistrySeeder.manifestRequest(bed.registry, repo, "v1")).status == 200)
        #expect(try await TokenServerStats.tokenRequests(realm: bed.realm, clientID: clientID) == 1)
        // The pull token does not allow a push: the registry answers insufficient_scope, one fresh token with
        // pull,push is fetched, and the retry succeeds.
        let upload = try await auth.send(
            HTTPRequest(method: .post, url: URL(string: "http://\(bed.registry)/v2/\(repo)/blobs/uploads/")!),
            scopes: [], sink: nil)
        #expect(upload.status == 202)
        #expect(try await TokenServerStats.tokenRequests(realm: bed.realm, clientID: clientID) == 2)
    }

    @Test func pullOnlyUserIsRefusedPushAsAnAuthorizationError() async throws {
        let repo = repository()
        try await RegistrySeeder(auth: authenticator(pusher), registry: bed.registry).pushImage(repo, tag: "v1")
        let auth = authenticator(puller)
        #expect(try await auth.send(RegistrySeeder.manifestRequest(bed.registry, repo, "v1")).status == 200)
        let upload = try await auth.send(
            HTTPRequest(method: .post, url: URL(string: "http://\(bed.registry)/v2/\(repo)/blobs/uploads/")!),
            scopes: RegistrySeeder.pushScope(repo), sink: nil)
        #expect(upload.status == 401)
        let error = RegistryError.from(upload, operation: .pushImage, registry: bed.registry, authenticated: true)
        #expect(error.type == .authorization)
        #expect(!error.isRetryable)
        #expect(!error.message.contains(bed.pullPassword))
    }

    @Test func expiredTokenIsRefreshedOnceAndTheRequestRetried() async throws {
        let repo = repository()
        try await RegistrySeeder(auth: authenticator(pusher), registry: bed.registry).pushImage(repo, tag: "v1")
        let clientID = "ossb-test-\(UUID())"
        // The next token for this client dies at the registry about 3 s after issue, though expires_in says 300.
        try await TokenServerStats.expireNext(realm: bed.realm, clientID: clientID, count: 1)
        let auth = authenticator(pusher, clientID: clientID)
        #expect(try await auth.send(RegistrySeeder.manifestRequest(bed.registry, repo, "v1")).status == 200)
        try await Task.sleep(nanoseconds: 4_500_000_000)
        let again = try await auth.send(RegistrySeeder.manifestRequest(bed.registry, repo, "v1"))
        #expect(again.status == 200)
        #expect(try await TokenServerStats.tokenRequests(realm: bed.realm, clientID: clientID) == 2)
    }

    @Test func concurrentRequestsForOneScopeCauseExactlyOneTokenRequest() async throws {
        let repo = repository()
        try await RegistrySeeder(auth: authenticator(pusher), registry: bed.registry).pushImage(repo, tag: "v1")
        let clientID = "ossb-test-\(UUID())"
        let auth = authenticator(pusher, clientID: clientID)
        let count = 16
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<count {
                group.addTask { try await auth.send(RegistrySeeder.manifestRequest(bed.registry, repo, "v1")).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: count))
        #expect(try await TokenServerStats.tokenRequests(realm: bed.realm, clientID: clientID) == 1)
    }

    @Test func refreshTokenFromLoginDrivesTheOAuthPostFlow() async throws {
        let repo = repository()
        try await RegistrySeeder(auth: authenticator(pusher), registry: bed.registry).pushImage(repo, tag: "v1")
        let outcome = try await CredentialValidator(client: transport).validate(
            registry: bed.registry, credentials: pusher)
        #expect(outcome.scheme == "bearer")
        let refresh = try #require(
            outcome.refreshToken, "the token server offers a refresh token on offline_token=true")
        let lines = Mutex<[String]>([])
        let auth = authenticator(
            Credentials(identityToken: refresh), explain: { line in lines.withLock { $0.append(line) } })
        #expect(try await auth.send(RegistrySeeder.manifestRequest(bed.registry, repo, "v1")).status == 200)
        let explained = lines.withLock { $0.joined(separator: "\n") }
        #expect(explained.contains("OAuth2 POST with a refresh token"))
        #expect(explained.contains("realm host: 127.0.0.1:"))
        #expect(!explained.contains(refresh))
    }

    @Test func postAnswering404FallsBackToGetWithTheRefreshToken() async throws {
        let outcome = try await CredentialValidator(client: transport).validate(
            registry: bed.registry, credentials: pusher)
        let refresh = try #require(outcome.refreshToken)
        let exchange = TokenExchange(client: RedirectFollowingClient(transport))
        let token = try await exchange.fetch(
            challenge: BearerChallenge(realm: "\(bed.realm)/token-get-only", service: "ossb-test-registry"),
            scopes: [.repository("x", actions: ["pull"])], credentials: Credentials(identityToken: refresh),
            registry: bed.registry, options: .init(allowPlainHTTP: true))
        #expect(!token.token.isEmpty)
    }

    @Test func oauthPasswordGrant() async throws {
        let auth = RegistryAuthenticator(
            registry: origin, credentials: pusher, client: transport, allowPlainHTTP: true, passwordGrant: true)
        let ping = try await auth.send(HTTPRequest(url: URL(string: "http://\(bed.registry)/v2/")!))
        #expect(ping.status == 200)
    }

    @Test func wrongPasswordIsAnAuthenticationErrorWithoutTheSecret() async throws {
        let wrong = "wrong-\(UUID())"
        do {
            _ = try await CredentialValidator(client: transport).validate(
                registry: bed.registry, credentials: Credentials(username: bed.user, password: wrong))
            Issue.record("a wrong password must be refused")
        } catch let error as RegistryError {
            #expect(error.type == .authentication)
            #expect(error.message.contains(bed.user))
            #expect(!error.message.contains(wrong))
        }
    }
}

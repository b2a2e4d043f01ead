import Foundation
import RegistryVocabulary
import Synchronization
import Testing

@testable import AuthCore

@Suite struct TokenExchangeTests {
    let challenge = BearerChallenge(realm: "https://auth.example/token", service: "registry.example")
    let scopes = ScopeSet(parsing: "repository:a:pull repository:b:pull,push")

    @Test func getFormWithBasicCredentialsAndRepeatedScopes() async throws {
        let client = FakeHTTPClient { FakeHTTPClient.response(200, #"{"token":"t1","expires_in":300}"#, for: $0) }
        let exchange = TokenExchange(client: client)
        let token = try await exchange.fetch(
            challenge: challenge, scopes: scopes, credentials: Credentials(username: "alice", password: "s3cret+/="),
            registry: "registry.example", options: .init(offline: true))
        #expect(token.token == "t1")
        #expect(token.expiresIn == 300)
        let request = try #require(client.requests.first)
        #expect(request.method == .get)
        #expect(request.headers["Authorization"] == "Basic " + Data("alice:s3cret+/=".utf8).base64EncodedString())
        let query = request.queryItems
        #expect(query.filter { $0.0 == "scope" }.map(\.1) == ["repository:a:pull", "repository:b:pull,push"])
        #expect(query.contains { $0 == ("service", "registry.example") })
        #expect(query.contains { $0 == ("offline_token", "true") })
        #expect(query.contains { $0 == ("client_id", "ossb-registry") })
        #expect(query.contains { $0 == ("account", "alice") })
    }

    @Test func anonymousGetSendsNoAuthorizationAndNoOfflineToken() async throws {
        let client = FakeHTTPClient { FakeHTTPClient.response(200, #"{"access_token":"anon"}"#, for: $0) }
        let token = try await TokenExchange(client: client).fetch(
            challenge: BearerChallenge(realm: "https://auth.example/token"), scopes: scopes, credentials: nil,
            registry: "r", options: .init(offline: true))
        #expect(token.token == "anon")
        #expect(token.expiresIn == 60, "a missing expires_in means 60 s")
        let request = try #require(client.requests.first)
        #expect(request.headers["Authorization"] == nil)
        #expect(!request.queryItems.contains { $0.0 == "offline_token" || $0.0 == "service" })
    }

    @Test func identityTokenUsesOAuthPostWithOneSpaceSeparatedScope() async throws {
        let client = FakeHTTPClient {
            FakeHTTPClient.response(
                200, #"{"access_token":"a2","refresh_token":"r2","expires_in":10,"scope":"repository:a:pull"}"#, for: $0
            )
        }
        let token = try await TokenExchange(client: client, clientID: "ossb-test").fetch(
            challenge: challenge, scopes: scopes, credentials: Credentials(identityToken: "refresh-1"), registry: "r",
            options: .init(offline: true))
        #expect(token.token == "a2")
        #expect(token.refreshToken == "r2")
        #expect(token.expiresIn == 60, "never below 60 s")
        let request = try #require(client.requests.first)
        #expect(request.method == .post)
        #expect(request.headers["Content-Type"] == "application/x-www-form-urlencoded")
        #expect(request.headers["Authorization"] == nil)
        let form = FormEncoding.decode(request.bodyText)
        #expect(form.contains { $0 == ("grant_type", "refresh_token") })
        #expect(form.contains { $0 == ("refresh_token", "refresh-1") })
        #expect(form.contains { $0 == ("client_id", "ossb-test") })
        #expect(form.contains { $0 == ("access_type", "offline") })
        #expect(form.filter { $0.0 == "scope" }.map(\.1) == ["repository:a:pull repository:b:pull,push"])
    }

    @Test func passwordGrantWhenAsked() async throws {
        let client = FakeHTTPClient { FakeHTTPClient.response(200, #"{"access_token":"p"}"#, for: $0) }
        _ = try await TokenExchange(client: client).fetch(
            challenge: challenge, scopes: scopes, credentials: Credentials(username: "bob", password: "pw & more"),
            registry: "r", options: .init(passwordGrant: true))
        let form = FormEncoding.decode(try #require(client.requests.first).bodyText)
        #expect(form.contains { $0 == ("grant_type", "password") })
        #expect(form.contains { $0 == ("username", "bob") })
        #expect(form.contains { $0 == ("password", "pw & more") })
    }

    @Test func postAnswering404FallsBackToGet() async throws {
        let client = FakeHTTPClient { request in
            request.method == .post
                ? FakeHTTPClient.response(404, "", for: request)
                : FakeHTTPClient.response(200, #"{"token":"via-get"}"#, for: request)
        }
        let token = try await TokenExchange(client: client).fetch(
            challenge: challenge, scopes: scopes, credentials: Credentials(identityToken: "refresh-1"), registry: "r")
        #expect(token.token == "via-get")
        #expect(client.requests.map(\.method) == [.post, .get])
        #expect(
            client.requests[1].headers["Authorization"] == "Basic "
                + Data("<token>:refresh-1".utf8).base64EncodedString())
    }

    @Test func refusedCredentialsAreAnAuthenticationErrorWithoutTheSecret() async throws {
        let client = FakeHTTPClient { FakeHTTPClient.response(401, #"{"details":"bad"}"#, for: $0) }
        do {
            _ = try await TokenExchange(client: client).fetch(
                challenge: challenge, scopes: scopes,
                credentials: Credentials(username: "alice", password: "hunter2-secret"),
                registry: "registry.example")
            Issue.record("a refused password must throw")
        } catch let error as RegistryError {
            #expect(error.type == .authentication)
            #expect(!error.isRetryable)
            #expect(error.message.contains("alice"))
            #expect(!error.message.contains("hunter2-secret"))
            #expect(error.message.contains("auth.example"))
        }
    }

    @Test func plainHttpRealmIsRefusedForASecureRegistry() async throws {
        let client = FakeHTTPClient { FakeHTTPClient.response(200, #"{"token":"x"}"#, for: $0) }
        await #expect(throws: RegistryError.self) {
            try await TokenExchange(client: client).fetch(
                challenge: BearerChallenge(realm: "http://auth.example/token"), scopes: scopes,
                credentials: Credentials(username: "u", password: "p"), registry: "registry.example")
        }
        #expect(client.requests.isEmpty, "nothing may be sent to a plain-http realm")
        // Allowed when the registry itself may use plain http (insecure or loopback).
        let token = try await TokenExchange(client: client).fetch(
            challenge: BearerChallenge(realm: "http://127.0.0.1:9/token"), scopes: scopes,
            credentials: Credentials(username: "u", password: "p"), registry: "127.0.0.1:5000",
            options: .init(allowPlainHTTP: true))
        #expect(token.token == "x")
    }

    @Test func realmHostIsExplainedNeverTheSecret() async throws {
        let lines = Locked<[String]>([])
        let client = FakeHTTPClient { FakeHTTPClient.response(200, #"{"token":"tok-value"}"#, for: $0) }
        _ = try await TokenExchange(client: client, explain: { line in lines.withLock { $0.append(line) } }).fetch(
            challenge: BearerChallenge(realm: "https://auth.example:8443/token?x=1"), scopes: scopes,
            credentials: Credentials(username: "u", password: "pw-secret"), registry: "r")
        let text = lines.withLock { $0.joined(separator: "\n") }
        #expect(text.contains("ossb: realm host: auth.example:8443"))
        #expect(!text.contains("pw-secret") && !text.contains("tok-value"))
        #expect(client.requests.first?.url.absoluteString.hasPrefix("https://auth.example:8443/token?x=1&") == true)
    }

    @Test func nonUrlRealmIsRejected() async {
        let client = FakeHTTPClient { FakeHTTPClient.response(200, "{}", for: $0) }
        await #expect(throws: RegistryError.self) {
            try await TokenExchange(client: client).fetch(
                challenge: BearerChallenge(realm: "file:///etc/passwd"), scopes: scopes, credentials: nil, registry: "r"
            )
        }
    }
}

import Foundation
import RegistryVocabulary
import Synchronization
import Testing

@testable import AuthCore

@Suite struct TokenCacheTests {
    let key = TokenCache.Key(
        realm: "https://a/token", service: "s", scopes: ScopeSet(parsing: "repository:x:pull"),
        identity: CredentialIdentity(Credentials(username: "u", password: "p")))

    @Test func concurrentRequestsForOneKeyCauseOneFetch() async throws {
        let cache = TokenCache()
        let fetches = Locked(0)
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await cache.token(for: key) {
                        fetches.withLock { $0 += 1 }
                        try await Task.sleep(nanoseconds: 50_000_000)
                        return BearerToken(value: "t", expiresAt: Date().addingTimeInterval(300))
                    }.value
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(tokens.count == 50 && Set(tokens) == ["t"])
        #expect(fetches.withLock { $0 } == 1)
    }

    @Test func expiresEarlyByTheMargin() async throws {
        let clock = Locked(Date(timeIntervalSince1970: 1000))
        let cache = TokenCache(margin: 10, now: { clock.withLock { $0 } })
        let counter = Locked(0)
        let fetch: @Sendable () async throws -> BearerToken = {
            let n = counter.withLock {
                $0 += 1
                return $0
            }
            return BearerToken(value: "t\(n)", expiresAt: Date(timeIntervalSince1970: 1060))
        }
        #expect(try await cache.token(for: key, fetch: fetch).value == "t1")
        clock.withLock { $0 = Date(timeIntervalSince1970: 1049) }
        #expect(try await cache.token(for: key, fetch: fetch).value == "t1")
        clock.withLock { $0 = Date(timeIntervalSince1970: 1051) }
        #expect(try await cache.token(for: key, fetch: fetch).value == "t2", "within the margin of expiry: fetch anew")
    }

    @Test func replacingARefusedTokenFetchesOnceOnly() async throws {
        let cache = TokenCache()
        let counter = Locked(0)
        let fetch: @Sendable () async throws -> BearerToken = {
            let n = counter.withLock {
                $0 += 1
                return $0
            }
            return BearerToken(value: "t\(n)", expiresAt: Date().addingTimeInterval(300))
        }
        _ = try await cache.token(for: key, fetch: fetch)
        #expect(try await cache.token(for: key, replacing: "t1", fetch: fetch).value == "t2")
        // A second request refused with the old token gets the already-replaced one.
        #expect(try await cache.token(for: key, replacing: "t1", fetch: fetch).value == "t2")
        #expect(counter.withLock { $0 } == 2)
    }

    @Test func keysDifferByScopeSetIdentityNotText() async throws {
        let cache = TokenCache()
        let counter = Locked(0)
        let fetch: @Sendable () async throws -> BearerToken = {
            counter.withLock { $0 += 1 }
            return BearerToken(value: "t", expiresAt: Date().addingTimeInterval(300))
        }
        var a = key
        a.scopes = ScopeSet(parsing: "repository:x:push,pull")
        var b = key
        b.scopes = ScopeSet(parsing: "repository:x:pull,push")
        _ = try await cache.token(for: a, fetch: fetch)
        _ = try await cache.token(for: b, fetch: fetch)
        #expect(counter.withLock { $0 } == 1)
        var other = key
        other.identity = CredentialIdentity(Credentials(username: "u", password: "different"))
        _ = try await cache.token(for: other, fetch: fetch)
        #expect(counter.withLock { $0 } == 2)
    }

    @Test func failuresAreNotCached() async throws {
        let cache = TokenCache()
        struct Boom: Error {}
        await #expect(throws: Boom.self) { try await cache.token(for: key) { throw Boom() } }
        let t = try await cache.token(for: key) { BearerToken(value: "ok", expiresAt: Date().addingTimeInterval(300)) }
        #expect(t.value == "ok")
    }
}

import Foundation
import Testing

/// Cloud helpers racing each other as real processes: docker-credential-ossb-ecr (and the ossb-cloud-mint it runs)
/// against the stand-ins of scripts/testbed/aws-metadata.py, whose ECR answers a group of helpers at the same
/// moment so that they write the token cache together.
@Suite struct CloudConcurrencyProcessTests {
    let helper = ChildProcess.product("docker-credential-ossb-ecr")
    static let registry = ECRHelperProcessTests.registry
    let home = TemporaryDirectory()

    func environment(_ extra: [String: String]) -> [String: String] {
        var env = ["HOME": home.path, "AWS_EC2_METADATA_DISABLED": "true", "OSSB_EXPLAIN": "1"]
        env.merge(extra) { _, new in new }
        return env
    }

    /// Runs one `get` per environment, all started first and fed at once, each waited for on a thread of its own.
    func getAtOnce(_ environments: [[String: String]]) throws -> [ChildProcess.Result] {
        let children = try environments.map { try ChildProcess.start(helper, ["get"], environment: environment($0)) }
        let input = Array((Self.registry + "\n").utf8)
        for child in children { child.feed(input) }
        return try ConcurrentWorkers.run(children.map { child in { child.wait() } })
    }

    /// The identities of a token cache file's entries, after checking that it is private, valid JSON.
    static func cachedIdentities(_ path: String) throws -> [String] {
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600, "\(path) is \(String(mode ?? 0, radix: 8))")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        let entries = try #require((object as? [String: Any])?["entries"] as? [[String: Any]], "\(path)")
        return entries.compactMap { $0["identity"] as? String }
    }

    @Test(.enabled(if: TestServers.awsMetadata != nil, "needs scripts/testbed/aws-metadata.py"))
    func identitiesCachingForOneRegistryAtOnceAllKeepTheirEntries() throws {
        let metadata = try #require(TestServers.awsMetadata)
        let (rounds, width) = (12, 6)
        var lost: [String] = []
        for round in 0..<rounds {
            let cache = home.file("tokens-\(round)")
            // The stand-in answers the `width` requests of this group together (AKIAGATE<n>G<group>X...).
            let group = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10)
            let keys = (0..<width).map { "AKIAGATE\(width)G\(group)X\($0)" }
            let results = try getAtOnce(
                keys.map {
                    [
                        "AWS_ACCESS_KEY_ID": $0, "AWS_SECRET_ACCESS_KEY": "s", "AWS_ENDPOINT_URL_ECR": metadata,
                        "OSSB_TOKEN_CACHE_DIR": cache,
                    ]
                })
            for (key, result) in zip(keys, results) {
                #expect(result.status == 0 && result.helperSecret?.hasSuffix("-for-\(key)") == true, "\(result)")
                #expect(result.stderr.contains("cached in"), "\(result.stderr)")
            }
            let identities = try Self.cachedIdentities("\(cache)/\(Self.registry).json")
            let missing = keys.filter { key in !identities.contains { $0.contains(key) } }
            if !missing.isEmpty { lost.append("round \(round): \(missing.count) of \(width) entries lost") }
            #expect(identities.count == width || !missing.isEmpty, "\(identities)")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.contains(".tmp-") }
            #expect(leftovers.isEmpty)
        }
        #expect(lost.isEmpty, "\(lost)")
    }

    @Test(.enabled(if: TestServers.awsMetadata != nil, "needs scripts/testbed/aws-metadata.py"))
    func aCacheLockHeldElsewhereSkipsCachingButNotTheCredential() throws {
        let metadata = try #require(TestServers.awsMetadata)
        let cache = home.file("tokens")
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: cache)
        let key = "AKIALOCKED\(UUID().uuidString.prefix(8))"
        let env = [
            "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": "s", "AWS_ENDPOINT_URL_ECR": metadata,
            "OSSB_TOKEN_CACHE_DIR": cache,
        ]
        // A process stuck while holding the registry file's lock: the get waits a little, then answers anyway.
        let holder = try LockHolder("\(cache)/\(Self.registry).json.lock")
        let started = Date()
        let blocked = try ChildProcess.run(helper, ["get"], input: Self.registry + "\n", environment: environment(env))
        let waited = Date().timeIntervalSince(started)
        holder.release()
        #expect(blocked.status == 0 && blocked.helperSecret?.hasSuffix("-for-\(key)") == true, "\(blocked)")
        #expect(blocked.stderr.contains("not cached: timed out"), "\(blocked.stderr)")
        #expect(waited < 8, "the get waited \(waited) s for the lock")
        #expect(!FileManager.default.fileExists(atPath: "\(cache)/\(Self.registry).json"))

        // Once the lock is free, the next get mints again and keeps the token.
        let next = try ChildProcess.run(helper, ["get"], input: Self.registry + "\n", environment: environment(env))
        #expect(next.status == 0 && next.stderr.contains("cached in"), "\(next)")
        #expect(try ECRHelperProcessTests.minted(metadata, key: key) == 2)
    }

    @Test(.enabled(if: TestServers.awsMetadata != nil, "needs scripts/testbed/aws-metadata.py"))
    func twoHelpersRenewingOneSSOLoginAtOnceRenewItOnce() throws {
        let portal = try #require(TestServers.awsMetadata)
        try home.write("config", ECRProfileProcessTests.ssoSessionConfig(role: "dev"))
        let login = home.file(".aws/sso/cache/\(try ECRProfileProcessTests.sha1("corp")).json")
        let curl = try #require(TestProcess.which("curl"))
        for round in 0..<4 {
            // The stand-in's refresh tokens of this login are single-use: once-<name>-0, then once-<name>-1.
            let name = "race\(UUID().uuidString.prefix(8).lowercased())"
            try ECRProfileProcessTests.cacheExpiredRefreshableLogin(in: home, refreshToken: "once-\(name)-0")
            let env = [
                "AWS_PROFILE": "dev", "AWS_CONFIG_FILE": home.file("config"),
                "AWS_SHARED_CREDENTIALS_FILE": home.file("credentials"), "AWS_ENDPOINT_URL_SSO": portal,
                "AWS_ENDPOINT_URL_SSO_OIDC": portal, "AWS_ENDPOINT_URL_ECR": portal,
                "OSSB_TOKEN_CACHE_DIR": home.file("tokens-sso-\(round)"),
            ]
            let results = try getAtOnce([env, env])
            for result in results {
                #expect(result.status == 0 && result.helperSecret?.hasSuffix("-for-ASIASSODEV") == true, "\(result)")
            }
            let calls = try TestProcess.run(curl, ["-sf", "\(portal)/sso-count/\(name)"], environment: [:]).stdout
            #expect(calls == "1", "round \(round): \(calls) CreateToken calls for one expired login")
            let renewed = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: login)))
                    as? [String: String])
            #expect(
                renewed["refreshToken"] == "once-\(name)-1" && renewed["accessToken"] == ECRProfileProcessTests.ssoToken
            )
            let mode = try FileManager.default.attributesOfItem(atPath: login)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }

    /// A process stuck while holding an SSO login's renewal lock: the helper waits out the longest a renewal can
    /// take (35 s), then renews without the lock rather than failing, and says so in explanation mode.
    @Test(.enabled(if: TestServers.awsMetadata != nil, "needs scripts/testbed/aws-metadata.py"))
    func anSSOLoginLockHeldByAStuckProcessIsWaitedOutThenTheLoginIsRenewedAnyway() throws {
        let portal = try #require(TestServers.awsMetadata)
        try home.write("config", ECRProfileProcessTests.ssoSessionConfig(role: "dev"))
        let login = home.file(".aws/sso/cache/\(try ECRProfileProcessTests.sha1("corp")).json")
        let name = "stuck\(UUID().uuidString.prefix(8).lowercased())"
        try ECRProfileProcessTests.cacheExpiredRefreshableLogin(in: home, refreshToken: "once-\(name)-0")
        let holder = try LockHolder(login + ".lock")
        defer { holder.release() }
        let env = [
            "AWS_PROFILE": "dev", "AWS_CONFIG_FILE": home.file("config"),
            "AWS_SHARED_CREDENTIALS_FILE": home.file("credentials"), "AWS_ENDPOINT_URL_SSO": portal,
            "AWS_ENDPOINT_URL_SSO_OIDC": portal, "AWS_ENDPOINT_URL_ECR": portal,
            "OSSB_TOKEN_CACHE_DIR": home.file("tokens-stuck"),
        ]
        let started = Date()
        let result = try ChildProcess.run(
            helper, ["get"], input: Self.registry + "\n", environment: environment(env), timeout: 90)
        let waited = Date().timeIntervalSince(started)
        #expect(result.status == 0 && result.helperSecret?.hasSuffix("-for-ASIASSODEV") == true, "\(result)")
        #expect(result.stderr.contains("renewing the IAM Identity Center login without its lock"), "\(result.stderr)")
        #expect(waited >= 34 && waited < 60, "the get waited \(waited) s")
        let curl = try #require(TestProcess.which("curl"))
        let calls = try TestProcess.run(curl, ["-sf", "\(portal)/sso-count/\(name)"], environment: [:]).stdout
        #expect(calls == "1", "\(calls) CreateToken calls")
    }
}

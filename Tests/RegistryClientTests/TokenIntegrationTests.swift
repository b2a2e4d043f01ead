import AuthCore
import Foundation
import OSSBTestSupport
import RegistryVocabulary
import Testing

@testable import RegistryClient

/// A transport that waits before every request: a slow network in front of the real one, so that a push
/// outlives a short-lived token.
struct SlowTransport: HTTPClient {
    let base: any HTTPClient
    let delay: Double
    func send(_ request: HTTPRequest, sink: (any HTTPBodySink)?) async throws -> HTTPResponse {
        try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
        return try await base.send(request, sink: sink)
    }
}

/// The client against a real docker-registry with token auth and the project's token server.
@Suite(.enabled(if: TokenBedEnvironment.available, "needs scripts/test.sh's token registry"))
struct TokenIntegrationTests {
    let home = TemporaryDirectory()

    func client(
        user: String, password: String, clientID: String = "ossb-test-\(UUID().uuidString.prefix(8))",
        transport: (any HTTPClient)? = nil
    ) throws -> RegistryClient {
        let bed = TokenBedEnvironment.current!
        let prefix = "OSSB_" + EnvironmentStore.prefix(forHost: bed.registry)
        var options = ClientOptions(
            environment: Environment([
                "HOME": home.path, "\(prefix)_USERNAME": user, "\(prefix)_PASSWORD": password,
            ]))
        options.clientID = clientID
        options.warn = { _ in }
        options.transport = transport
        options.retry = RetryPolicy(maxAttempts: 3, baseDelay: 0.05, maxDelay: 1, maxTotal: 10)
        return try RegistryClient(options: options)
    }

    func seed(_ repo: String, platforms: String = "linux/amd64,linux/arm64/v8", layers: Int = 2, format: String = "oci")
        throws -> RegistryTestBed.Seeded
    {
        let bed = TokenBedEnvironment.current!
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "\(SourceTree.root)/scripts/testbed/seed-image.py", "--registry", bed.registry,
            "--user", bed.user, "--password-env", "OSSB_TEST_TOKEN_PASSWORD", "--repo", repo, "--tag", "v1",
            "--platforms", platforms, "--layers", "\(layers)", "--format", format,
        ]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("seeding the token registry failed") }
        return try JSONDecoder().decode(RegistryTestBed.Seeded.self, from: data)
    }

    @Test(arguments: ["oci", "docker"])
    func pullsAndPushesThroughTokenAuth(format: String) async throws {
        let bed = try #require(TokenBedEnvironment.current)
        let repo = RegistryTestBed.unique("token/app-\(format)")
        let seeded = try seed(repo, format: format)
        let one = try client(user: bed.user, password: bed.password)
        let arm = try await one.resolveImage(
            try ImageReference.parse("\(bed.registry)/\(repo):v1"),
            platform: Platform(os: "linux", architecture: "arm64"))
        #expect(arm.image.digest.description == seeded.manifests["linux/arm64/v8"])
        let client = try client(user: bed.user, password: bed.password)
        let layout = home.file("layout")
        let pulled = try await client.pull(
            try ImageReference.parse("\(bed.registry)/\(repo):v1"), to: layout, allPlatforms: true,
            preserveDigests: true)
        #expect(pulled.descriptor.digest == seeded.digest)
        let copy = try ImageReference.parse("\(bed.registry)/\(RegistryTestBed.unique("token/copy")):v1")
        let pushed = try await client.push(layout: layout, to: copy)
        #expect(pushed.digest == seeded.digest)
        #expect(pushed.mounted == 6, "blobs pulled from the same registry are mounted (pull scope on the source)")
    }

    @Test func pullOnlyAccountIsRefusedPushWithAClearError() async throws {
        let bed = try #require(TokenBedEnvironment.current)
        let repo = RegistryTestBed.unique("token/readonly")
        _ = try seed(repo, platforms: "linux/amd64")
        let client = try client(user: bed.pullUser, password: bed.pullPassword)
        let layout = home.file("layout")
        _ = try await client.pull(try ImageReference.parse("\(bed.registry)/\(repo):v1"), to: layout)
        do {
            _ = try await client.push(layout: layout, to: try ImageReference.parse("\(bed.registry)/\(repo)-copy:v1"))
            Issue.record("a pull-only account pushed")
        } catch let error as RegistryError {
            #expect(error.type == .authorization, "\(error)")
            #expect(error.description.contains("do not allow push_image"), "\(error)")
            #expect(!error.description.contains(bed.pullPassword))
        }
    }

    @Test func aTokenThatExpiresDuringASlowPushIsRefreshed() async throws {
        let bed = try #require(TokenBedEnvironment.current)
        let repo = RegistryTestBed.unique("token/slow")
        _ = try seed(repo, platforms: "linux/amd64", layers: 3)
        let clientID = "ossb-slow-\(UUID().uuidString.prefix(8))"
        let fast = try client(user: bed.user, password: bed.password, clientID: clientID)
        let layout = home.file("layout")
        _ = try await fast.pull(try ImageReference.parse("\(bed.registry)/\(repo):v1"), to: layout)
        // The next token goes stale at the registry about 3 s after it is issued, while its expires_in still
        // promises the full lifetime: only the registry's 401 reveals it.
        try await TokenBedEnvironment.expireNext(realm: bed.realm, clientID: clientID, count: 1)
        var options = fast.options
        options.maxConcurrentTransfers = 1
        options.transport = SlowTransport(base: fast.transport, delay: 0.7)
        let slow = try RegistryClient(options: options)
        let before = try await TokenBedEnvironment.tokenRequests(realm: bed.realm, clientID: clientID)
        let target = try ImageReference.parse("\(bed.registry)/\(RegistryTestBed.unique("token/slow-dst")):v1")
        let result = try await slow.push(layout: layout, to: target)
        let after = try await TokenBedEnvironment.tokenRequests(realm: bed.realm, clientID: clientID)
        #expect(after - before >= 2, "a fresh token was fetched when the first went stale")
        #expect(try await fast.getManifest(target).digest.description == result.digest)
    }
}

/// The token bed's variables, and its control endpoints, without the shared test-support target.
struct TokenBedEnvironment {
    let registry: String, realm: String, user: String, password: String, pullUser: String, pullPassword: String
    static var current: TokenBedEnvironment? {
        let e = ProcessInfo.processInfo.environment
        guard let r = e["OSSB_TEST_TOKEN_REGISTRY"], let realm = e["OSSB_TEST_TOKEN_REALM"],
            let u = e["OSSB_TEST_TOKEN_USER"],
            let p = e["OSSB_TEST_TOKEN_PASSWORD"], let pu = e["OSSB_TEST_TOKEN_PULL_USER"],
            let pp = e["OSSB_TEST_TOKEN_PULL_PASSWORD"]
        else { return nil }
        return TokenBedEnvironment(registry: r, realm: realm, user: u, password: p, pullUser: pu, pullPassword: pp)
    }
    static var available: Bool { current != nil }

    static func expireNext(realm: String, clientID: String, count: Int) async throws {
        _ = try RegistryTestBed.curl(["-s", "\(realm)/control?client_id=\(clientID)&expire_next=\(count)"])
    }

    static func tokenRequests(realm: String, clientID: String) async throws -> Int {
        let data = try RegistryTestBed.curl(["-s", "\(realm)/stats?client_id=\(clientID)"])
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["token_requests"] as? Int ?? -1
    }
}

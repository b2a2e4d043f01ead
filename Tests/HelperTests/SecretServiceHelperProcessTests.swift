import Foundation
import Testing

/// docker-credential-ossb-secretservice as a real child process against a real gnome-keyring, and side by
/// side with Go's docker-credential-secretservice on the same keyring.
@Suite(.enabled(if: TestBed.keyringBus != nil, "needs the keyring session of scripts/test.sh (OSSB_TEST_KEYRING)"))
struct SecretServiceHelperProcessTests {
    let home = TemporaryDirectory()
    var env: [String: String] { TestBed.keyringEnvironment(bus: TestBed.keyringBus, home: home.path) }

    func ours(_ args: [String], _ input: String = "") throws -> ChildProcess.Result {
        try ChildProcess.run(TestBed.secretServiceHelper, args, input: input, environment: env)
    }

    func go(_ args: [String], _ input: String = "") throws -> ChildProcess.Result {
        try ChildProcess.run(try #require(TestBed.goSecretService), args, input: input, environment: env)
    }

    /// Go's `list`, retried: Go's 0.6.4 helper fails the whole `list` when another test deletes an item while it
    /// loads every item's secret (the keyring is shared by parallel tests). Ours skips items that vanish.
    func goList() throws -> [String: String] {
        var last = try go(["list"])
        for _ in 0..<10 where last.status != 0 {
            last = try go(["list"])
        }
        return try Self.listed(last)
    }

    static func storeInput(_ server: String, _ user: String, _ secret: String) -> String {
        #"{"ServerURL":"\#(server)","Username":"\#(user)","Secret":"\#(secret)"}"# + "\n"
    }

    /// The pairs of a `list` answer (a JSON object of server -> user).
    static func listed(_ result: ChildProcess.Result) throws -> [String: String] {
        let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try #require(object as? [String: String], "list did not answer a JSON object: \(result)")
    }

    @Test func fullRoundTrip() throws {
        let server = TestBed.uniqueServer("round-trip")
        let stored = try ours(["store"], Self.storeInput(server, "alice", "s3cr3t"))
        #expect(stored == .init(stdout: "", stderr: "", status: 0))
        #expect(
            try ours(["get"], server + "\n").stdout
                == #"{"ServerURL":"\#(server)","Username":"alice","Secret":"s3cr3t"}"# + "\n")
        #expect(try Self.listed(try ours(["list"], "unused"))[server] == "alice")
        #expect(try ours(["erase"], server) == .init(stdout: "", stderr: "", status: 0))
        #expect(
            try ours(["get"], server)
                == .init(stdout: "credentials not found in native keychain\n", stderr: "", status: 1))
        #expect(try Self.listed(try ours(["list"]))[server] == nil)
        #expect(try ours(["erase"], server).status == 0, "erasing a missing entry succeeds, as docker's helper does")
    }

    @Test func identityTokenIsEncodedAsGoEncodesIt() throws {
        let server = TestBed.uniqueServer("token")
        _ = try ours(["store"], Self.storeInput(server, "<token>", "refresh"))
        defer { _ = try? ours(["erase"], server) }
        #expect(
            try ours(["get"], server).stdout
                == #"{"ServerURL":"\#(server)","Username":"\u003ctoken\u003e","Secret":"refresh"}"# + "\n")
    }

    @Test(
        .enabled(
            if: TestBed.goSecretService != nil,
            "Go's docker-credential-secretservice is not installed (golang-docker-credential-helpers)"))
    func storedByGoIsReadListedAndErasedByUs() throws {
        let server = TestBed.uniqueServer("from-go")
        #expect(try go(["store"], Self.storeInput(server, "gopher", "go-pw")).status == 0)
        #expect(
            try ours(["get"], server).stdout == #"{"ServerURL":"\#(server)","Username":"gopher","Secret":"go-pw"}"#
                + "\n")
        #expect(try Self.listed(try ours(["list"]))[server] == "gopher")
        #expect(try ours(["erase"], server).status == 0)
        #expect(try go(["get"], server).stdout == "credentials not found in native keychain\n")
        #expect(try goList()[server] == nil)
    }

    /// docker logs in as `https://index.docker.io/v1/`-style URLs, podman as bare hosts; our `erase` of one
    /// spelling removes the items Go's helper (and docker) wrote under the others, so Go serves none of them.
    @Test(
        .enabled(
            if: TestBed.goSecretService != nil,
            "Go's docker-credential-secretservice is not installed (golang-docker-credential-helpers)"))
    func eraseOfOneSpellingRemovesWhatGoStoredUnderTheOthers() throws {
        let host = TestBed.uniqueServer("logout")
        let spellings = ["https://\(host)/", "http://\(host)", host]
        for (index, key) in spellings.enumerated() {
            #expect(try go(["store"], Self.storeInput(key, "gopher\(index)", "go-pw-\(index)")).status == 0)
        }
        let unrelated = "unrelated-\(host)"
        #expect(try go(["store"], Self.storeInput(unrelated, "keep", "keep-pw")).status == 0)
        defer { _ = try? go(["erase"], unrelated) }
        #expect(try ours(["erase"], host) == .init(stdout: "", stderr: "", status: 0))
        for key in spellings {
            #expect(try go(["get"], key).stdout == "credentials not found in native keychain\n", "\(key)")
            #expect(try ours(["get"], key).stdout == "credentials not found in native keychain\n", "\(key)")
        }
        #expect(try go(["get"], unrelated).stdout.contains("keep-pw"))
    }

    /// A JSON `\u0000` inside Secret is kept whole, not cut at the NUL (libsecret gets the explicit length).
    @Test func aSecretWithAnEscapedNULRoundTrips() throws {
        let server = TestBed.uniqueServer("nul")
        defer { _ = try? ours(["erase"], server) }
        #expect(try ours(["store"], Self.storeInput(server, "u", #"a\u0000b"#)).status == 0)
        #expect(
            try ours(["get"], server).stdout == #"{"ServerURL":"\#(server)","Username":"u","Secret":"a\u0000b"}"# + "\n"
        )
    }

    @Test(
        .enabled(
            if: TestBed.goSecretService != nil,
            "Go's docker-credential-secretservice is not installed (golang-docker-credential-helpers)"))
    func storedByUsIsReadListedAndErasedByGo() throws {
        let server = "https://\(TestBed.uniqueServer("to-go"))/"
        #expect(try ours(["store"], Self.storeInput(server, "swifty", "swift-pw")).status == 0)
        #expect(
            try go(["get"], server).stdout == #"{"ServerURL":"\#(server)","Username":"swifty","Secret":"swift-pw"}"#
                + "\n")
        // Go's v0.6 helper keys `list` on the item label: ours is the bare address, so its answer is right.
        #expect(try goList()[server] == "swifty")
        #expect(try go(["erase"], server).status == 0)
        #expect(try ours(["get"], server).stdout == "credentials not found in native keychain\n")
        #expect(try Self.listed(try ours(["list"]))[server] == nil)
    }

    @Test(
        .enabled(
            if: TestBed.goSecretService != nil,
            "Go's docker-credential-secretservice is not installed (golang-docker-credential-helpers)"))
    func aUserChangeByUsLeavesGoOneAnswer() throws {
        let server = TestBed.uniqueServer("switch-user")
        _ = try go(["store"], Self.storeInput(server, "old-user", "old-pw"))
        _ = try ours(["store"], Self.storeInput(server, "new-user", "new-pw"))
        defer { _ = try? ours(["erase"], server) }
        #expect(
            try go(["get"], server).stdout == #"{"ServerURL":"\#(server)","Username":"new-user","Secret":"new-pw"}"#
                + "\n")
        #expect(try goList()[server] == "new-user")
    }

    @Test func versionAndHelpNeedNoKeyring() throws {
        let noBus = TestBed.keyringEnvironment(bus: nil, home: home.path)
        let version = try ChildProcess.run(TestBed.secretServiceHelper, ["version"], input: "", environment: noBus)
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("docker-credential-ossb-secretservice (ossb-registry) "))
        let help = try ChildProcess.run(TestBed.secretServiceHelper, ["--help"], input: "", environment: noBus)
        #expect(
            help
                == .init(
                    stdout: "Usage: docker-credential-ossb-secretservice <store|get|erase|list|version>\n", stderr: "",
                    status: 0))
    }

    @Test func concurrentStoresAllLand() async throws {
        let servers = (0..<12).map { TestBed.uniqueServer("parallel-\($0)") }
        let env = self.env
        try await withThrowingTaskGroup(of: Int32.self) { group in
            for (i, server) in servers.enumerated() {
                group.addTask {
                    try ChildProcess.run(
                        TestBed.secretServiceHelper, ["store"], input: Self.storeInput(server, "user\(i)", "pw\(i)"),
                        environment: env
                    ).status
                }
            }
            for try await status in group { #expect(status == 0) }
        }
        let listed = try Self.listed(try ours(["list"]))
        for (i, server) in servers.enumerated() {
            #expect(listed[server] == "user\(i)")
            _ = try ours(["erase"], server)
        }
    }
}

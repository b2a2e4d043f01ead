import Foundation
import Testing

/// docker-credential-ossb with a real Secret Service: `auto` stores in the keyring, discovery reads it back
/// through the keyring helper run as a plugin, and with a bus but no keyring the front falls back to the file.
@Suite struct FrontKeyringProcessTests {
    let home = TemporaryDirectory()
    let front = ChildProcess.product("docker-credential-ossb")

    /// The front's environment on `bus`, with `OSSB_KEYRING_TIMEOUT` set to `keyringTimeout`.
    func frontEnvironment(bus: String, keyringTimeout: String) -> [String: String] {
        TestBed.clientEnvironment(
            home: home.path,
            extra: [
                "DBUS_SESSION_BUS_ADDRESS": bus, "XDG_RUNTIME_DIR": home.path, "OSSB_KEYRING_TIMEOUT": keyringTimeout,
            ])
    }

    @Test(.enabled(if: TestBed.keyringBus != nil, "needs scripts/test.sh's keyring session"))
    func autoStoresInTheKeyringAndReadsItBack() throws {
        let bus = try #require(TestBed.keyringBus)
        let env = TestBed.clientEnvironment(
            home: home.path, extra: ["DBUS_SESSION_BUS_ADDRESS": bus, "XDG_RUNTIME_DIR": home.path])
        let server = TestBed.uniqueServer("front")
        let stored = try ChildProcess.run(
            front, ["store"], input: #"{"ServerURL":"\#(server)","Username":"kuser","Secret":"keyring-secret-5"}"#,
            environment: env)
        #expect(stored.status == 0, "\(stored)")
        #expect(!home.exists(".ossb/credentials.json"), "auto chose the keyring, not the file")
        // Docker's item layout, readable by our keyring helper directly.
        let direct = try ChildProcess.run(TestBed.secretServiceHelper, ["get"], input: server, environment: env)
        #expect(direct.stdout.contains(#""Secret":"keyring-secret-5""#), "\(direct)")
        // The front finds it through the keyring source.
        var explained = env
        explained["OSSB_EXPLAIN"] = "1"
        let got = try ChildProcess.run(front, ["get"], input: server, environment: explained)
        #expect(got.stdout == #"{"ServerURL":"\#(server)","Username":"kuser","Secret":"keyring-secret-5"}"# + "\n")
        #expect(got.stderr.contains("ossb: explain: answered by keyring"))
        #expect(!got.stderr.contains("keyring-secret-5"))
        #expect(
            try ChildProcess.run(front, ["list"], input: "", environment: env).stdout.contains(
                "\"\(server)\":\"kuser\""))
        #expect(try ChildProcess.run(front, ["erase"], input: server, environment: env).status == 0)
        let gone = try ChildProcess.run(TestBed.secretServiceHelper, ["get"], input: server, environment: env)
        #expect(gone.stdout == "credentials not found in native keychain\n")
    }

    /// Logout through the front: `erase` of one spelling removes from the keyring every item `get` would have
    /// served (docker's `https://host/`, podman's `host`, Go's helper's items too), and leaves other registries.
    @Test(
        .enabled(
            if: TestBed.keyringBus != nil && TestBed.goSecretService != nil,
            "needs scripts/test.sh's keyring session and Go's docker-credential-secretservice"))
    func eraseThroughTheFrontRemovesEverySpellingFromTheKeyring() throws {
        let bus = try #require(TestBed.keyringBus)
        let env = TestBed.clientEnvironment(
            home: home.path, extra: ["DBUS_SESSION_BUS_ADDRESS": bus, "XDG_RUNTIME_DIR": home.path])
        let host = TestBed.uniqueServer("front-logout")
        let go = try #require(TestBed.goSecretService)
        for (index, key) in ["https://\(host)/", host].enumerated() {
            let input = #"{"ServerURL":"\#(key)","Username":"u\#(index)","Secret":"front-logout-\#(index)"}"#
            #expect(try ChildProcess.run(go, ["store"], input: input, environment: env).status == 0)
        }
        let other = "other-\(host)"
        _ = try ChildProcess.run(
            front, ["store"], input: #"{"ServerURL":"\#(other)","Username":"o","Secret":"keep"}"#, environment: env)
        defer { _ = try? ChildProcess.run(front, ["erase"], input: other, environment: env) }
        let erased = try ChildProcess.run(front, ["erase"], input: "http://\(host)", environment: env)
        #expect(erased.status == 0, "\(erased)")
        for key in ["https://\(host)/", host, "http://\(host)"] {
            #expect(
                try ChildProcess.run(front, ["get"], input: key, environment: env).stdout
                    == "credentials not found in native keychain\n", "\(key)")
            #expect(
                try ChildProcess.run(go, ["get"], input: key, environment: env).stdout
                    == "credentials not found in native keychain\n", "\(key)")
        }
        #expect(
            try ChildProcess.run(TestBed.secretServiceHelper, ["get"], input: other, environment: env).stdout.contains(
                #""Secret":"keep""#))
    }

    @Test(.enabled(if: TestBed.bareBus != nil, "needs scripts/test.sh's bus without a keyring"))
    func aBusWithoutAKeyringFallsBackToTheFile() throws {
        let bus = try #require(TestBed.bareBus)
        let env = TestBed.clientEnvironment(
            home: home.path, extra: ["DBUS_SESSION_BUS_ADDRESS": bus, "XDG_RUNTIME_DIR": home.path])
        let stored = try ChildProcess.run(
            front, ["store"], input: #"{"ServerURL":"fallback.example","Username":"u","Secret":"p"}"#, environment: env,
            timeout: 30)
        #expect(stored.status == 0, "\(stored)")
        #expect(
            stored.stderr.contains("ossb: note: keyring unavailable: no Secret Service on the D-Bus session bus"),
            "\(stored)")
        #expect(
            stored.stderr.contains("; storing in the file backend instead\n"),
            "the fallback is said, on stderr: \(stored)")
        #expect(try home.read(".ossb/credentials.json").contains("fallback.example"))
        let got = try ChildProcess.run(front, ["get"], input: "fallback.example", environment: env, timeout: 30)
        #expect(got.stdout.contains(#""Username":"u""#))
    }

    /// A keyring that does not answer is not "no keyring": `auto` must not write the password to the plain-text
    /// file instead, and an `erase` that could not reach the keyring fails and says the keyring copy may remain
    /// (after still erasing the file's copy).
    @Test(.enabled(if: TestBed.silentBus != nil, "needs scripts/test.sh's silent bus (OSSB_TEST_SILENT_BUS)"))
    func aKeyringThatDoesNotAnswerIsAnErrorNotAFallback() throws {
        let env = frontEnvironment(bus: try #require(TestBed.silentBus), keyringTimeout: "1")
        let stored = try ChildProcess.run(
            front, ["store"], input: #"{"ServerURL":"slow.example","Username":"u","Secret":"slow-secret"}"#,
            environment: env, timeout: 30)
        #expect(stored.status == 1, "\(stored)")
        #expect(
            stored.stdout.contains("keyring not answering: the Secret Service did not answer within 1 s"), "\(stored)")
        #expect(stored.stdout.split(separator: "\n").count == 1)
        #expect(!stored.stdout.contains("slow-secret") && !stored.stderr.contains("slow-secret"))
        #expect(!home.exists(".ossb/credentials.json"), "no silent fall back to the plain-text file")

        try home.write(".ossb/credentials.json", #"{"auths":{"slow.example":{"auth":"dTpw"}}}"#)
        let erased = try ChildProcess.run(front, ["erase"], input: "slow.example", environment: env, timeout: 30)
        #expect(erased.status == 1, "\(erased)")
        #expect(erased.stdout.contains("may remain in the keyring"), "\(erased)")
        #expect(erased.stdout.split(separator: "\n").count == 1)
        #expect(
            !(try home.read(".ossb/credentials.json")).contains("slow.example"),
            "the file's copy is erased all the same")
    }

    /// The keyring helper failing for any reason other than "no Secret Service here" (here: a bad
    /// OSSB_KEYRING_TIMEOUT it refuses) fails the front's `store`, with the helper's line, and writes no file.
    @Test(.enabled(if: TestBed.bareBus != nil, "needs scripts/test.sh's bus without a keyring"))
    func theFrontFailsWhenTheKeyringHelperFails() throws {
        let env = frontEnvironment(bus: try #require(TestBed.bareBus), keyringTimeout: "soon")
        let stored = try ChildProcess.run(
            front, ["store"], input: #"{"ServerURL":"h.example","Username":"u","Secret":"p-failing"}"#,
            environment: env, timeout: 30)
        #expect(stored.status == 1 && !home.exists(".ossb/credentials.json"), "\(stored)")
        #expect(
            stored.stdout.hasPrefix(
                "docker-credential-ossb-secretservice failed to store (exit status 1): OSSB_KEYRING_TIMEOUT must be"),
            "\(stored)")
        let erased = try ChildProcess.run(front, ["erase"], input: "h.example", environment: env, timeout: 30)
        #expect(erased.status == 1, "\(erased)")
        #expect(erased.stdout.contains("may remain in the keyring"), "\(erased)")
    }

    @Test func keyringChoiceWithoutAnyBusFailsWithTheKeyringHelpersMessage() throws {
        try home.write(".ossb/registry.json", #"{"credential_store": "keyring"}"#)
        let env = TestBed.clientEnvironment(home: home.path)
        let stored = try ChildProcess.run(
            front, ["store"], input: #"{"ServerURL":"k.example","Username":"u","Secret":"p"}"#, environment: env)
        #expect(stored.status == 1)
        #expect(
            stored.stdout.hasPrefix(
                "docker-credential-ossb-secretservice failed to store (exit status 1): keyring unavailable"),
            "\(stored)")
        #expect(stored.stdout.split(separator: "\n").count == 1)
        #expect(!home.exists(".ossb/credentials.json"), "keyring was chosen explicitly: no silent fallback")
    }
}

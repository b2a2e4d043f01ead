import AuthCore
import Testing

@testable import SecretServiceStore

/// The store against a real gnome-keyring on the private session bus that scripts/test.sh starts.
@Suite(.enabled(if: KeyringInspector.available, "needs the keyring session of scripts/test.sh (OSSB_TEST_KEYRING)"))
struct SecretServiceStoreTests {
    let store = SecretServiceStore(timeout: 10)

    @Test func storeGetListErase() throws {
        let server = KeyringInspector.uniqueServer("round-trip")
        try store.store(HelperCredential(serverURL: server, username: "alice", secret: "s3cr3t"))
        #expect(try store.get(server) == HelperCredential(serverURL: server, username: "alice", secret: "s3cr3t"))
        #expect(try store.list()[server] == "alice")

        try store.erase(server)
        #expect(try store.get(server) == nil)
        #expect(try store.list()[server] == nil)
        #expect(try KeyringInspector.items(server: server).isEmpty)
    }

    @Test func itemHasDockersSchemaAttributesAndABareLabel() throws {
        let server = KeyringInspector.uniqueServer("layout")
        try store.store(HelperCredential(serverURL: server, username: "bob", secret: "pw"))
        defer { try? store.erase(server) }
        let items = try KeyringInspector.items(server: server)
        try #require(items.count == 1)
        #expect(items[0].label == server)
        #expect(
            items[0].attributes == [
                "label": "Docker Credentials", "server": server, "username": "bob", "docker_cli": "1",
                "xdg:schema": "io.docker.Credentials",
            ])
        #expect(items[0].attributeCount == 5)
        #expect(items[0].secret == "pw")
    }

    @Test func getFallsBackToTheNormalisedAddressAndEchoesTheRequest() throws {
        let host = KeyringInspector.uniqueServer("norm")
        let stored = "https://\(host.uppercased())/"
        try store.store(HelperCredential(serverURL: stored, username: "carol", secret: "pw-n"))
        defer { try? store.erase(stored) }
        #expect(try store.get(host) == HelperCredential(serverURL: host, username: "carol", secret: "pw-n"))
        #expect(
            try store.get("http://\(host)")
                == HelperCredential(serverURL: "http://\(host)", username: "carol", secret: "pw-n"))
        #expect(try store.get("other-\(host)") == nil)
    }

    /// Logout means logout: `erase` of one spelling removes every item `get` would have served for it (any
    /// spelling `ServerAddress.matches`), and nothing else, so no spelling is served afterwards.
    @Test func eraseRemovesEverySpellingGetWouldServeAndNothingElse() throws {
        let host = KeyringInspector.uniqueServer("spellings")
        let spellings = [host, "https://\(host.uppercased())/", "http://\(host)"]
        let others = ["other-\(host)", "\(host).other.example"]
        for (index, key) in (spellings + others).enumerated() {
            try store.store(HelperCredential(serverURL: key, username: "user\(index)", secret: "pw-\(index)"))
        }
        defer { for key in others { try? store.erase(key) } }
        try store.erase("https://\(host)")
        for key in spellings {
            #expect(try store.get(key) == nil, "\(key) is still served after erase")
            #expect(try KeyringInspector.items(server: key).isEmpty, "\(key) is still stored")
        }
        for key in others { #expect(try store.get(key) != nil, "\(key) does not match and must stay") }
    }

    /// The helper protocol is JSON, so a secret may hold U+0000; it must come back whole, not cut at the NUL.
    @Test func aSecretWithAnEmbeddedNULRoundTrips() throws {
        let server = KeyringInspector.uniqueServer("nul")
        defer { try? store.erase(server) }
        try store.store(HelperCredential(serverURL: server, username: "u", secret: "before\u{0}after"))
        #expect(try store.get(server)?.secret == "before\u{0}after")
    }

    @Test func storingAnotherUserReplacesTheItem() throws {
        let server = KeyringInspector.uniqueServer("replace")
        try store.store(HelperCredential(serverURL: server, username: "first", secret: "one"))
        try store.store(HelperCredential(serverURL: server, username: "second", secret: "two"))
        defer { try? store.erase(server) }
        let items = try KeyringInspector.items(server: server)
        #expect(items.map { $0.attributes["username"] } == ["second"])
        #expect(try store.get(server)?.secret == "two")
        // Storing the same user again replaces in place rather than adding an item.
        try store.store(HelperCredential(serverURL: server, username: "second", secret: "three"))
        #expect(try KeyringInspector.items(server: server).map(\.secret) == ["three"])
    }

    @Test func identityTokensAndAwkwardSecretsRoundTrip() throws {
        let server = KeyringInspector.uniqueServer("token")
        // Lengths around the AES block size exercise the PKCS#7 padding of libsecret's encrypted session.
        let secrets = [
            "refresh-token", "", "pä$$ \"quoted\" \\ back\nslash\ttab ✓", String(repeating: "x", count: 15),
            String(repeating: "y", count: 16), String(repeating: "z", count: 17),
            String(repeating: "long-", count: 400),
        ]
        defer { try? store.erase(server) }
        for secret in secrets {
            try store.store(HelperCredential(serverURL: server, username: "<token>", secret: secret))
            let got = try #require(try store.get(server))
            #expect(got.isIdentityToken)
            #expect(got.secret == secret)
        }
        #expect(try store.list()[server] == "<token>")
    }

    @Test func listIsKeyedOnTheServerAttributeNotTheLabel() throws {
        let server = KeyringInspector.uniqueServer("label")
        // docker's helper v0.9 labels items "Registry credentials for <server>".
        try KeyringInspector.plant(
            server: server, username: "dana", label: "Registry credentials for \(server)", secret: "pw")
        defer { try? store.erase(server) }
        let listed = try store.list()
        #expect(listed[server] == "dana")
        #expect(listed["Registry credentials for \(server)"] == nil)
        #expect(try store.get(server)?.username == "dana")
    }

    @Test func erasingAMissingEntrySucceeds() throws {
        try store.erase(KeyringInspector.uniqueServer("missing"))
    }
}

/// The probe the `docker-credential-ossb` front uses to choose between keyring and file.
@Suite struct SecretServiceProbeTests {
    @Test(.enabled(if: KeyringInspector.available, "needs the keyring session of scripts/test.sh (OSSB_TEST_KEYRING)"))
    func answersWhenTheKeyringRuns() {
        #expect(SecretServiceStore.probe(environment: Environment.current) == nil)
    }

    @Test func reportsNoBusAtOnce() {
        let error = SecretServiceStore.probe(environment: Environment(["HOME": "/nonexistent"]))
        #expect(error?.message == SecretServiceMessages.noSessionBus)
        #expect(error?.message.hasPrefix(SecretServiceMessages.unavailablePrefix) == true)
        #expect(error?.message.contains("docker-credential-ossb-file") == true)
    }

    @Test func reportsABadTimeout() {
        let error = SecretServiceStore.probe(environment: Environment(["OSSB_KEYRING_TIMEOUT": "never"]))
        #expect(error?.kind == .invalidRequest)
    }
}

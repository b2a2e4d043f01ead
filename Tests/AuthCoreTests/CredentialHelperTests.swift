import Testing

@testable import AuthCore

/// An in-memory store for testing the protocol layer's pure logic; the backends are tested for real elsewhere.
final class MemoryStore: CredentialStore, @unchecked Sendable {
    var entries: [String: HelperCredential] = [:]
    var name: String { "memory" }
    func get(_ serverURL: String) throws -> HelperCredential? {
        guard let key = ServerAddress.bestKey(for: serverURL, in: entries.keys.sorted()) else { return nil }
        var found = entries[key]!
        found.serverURL = serverURL
        return found
    }
    func store(_ credential: HelperCredential) throws { entries[credential.serverURL] = credential }
    func erase(_ serverURL: String) throws { entries[serverURL] = nil }
    func list() throws -> [String: String] { entries.mapValues(\.username) }
}

@Suite struct CredentialHelperTests {
    let helper = CredentialHelper(name: "docker-credential-test", version: "9.9.9")
    let store = MemoryStore()

    func run(_ arguments: [String], _ input: String = "") -> HelperOutcome {
        helper.run(arguments: arguments, readInput: { Array(input.utf8) }, makeStore: { store })
    }

    @Test func storeThenGetPrintsGoShapedJSON() {
        #expect(
            run(["store"], #"{"ServerURL":"r.example","Username":"<token>","Secret":"a&b"}"# + "\n") == HelperOutcome())
        let got = run(["get"], "r.example\n")
        #expect(got.status == 0)
        #expect(got.stdout == #"{"ServerURL":"r.example","Username":"\u003ctoken\u003e","Secret":"a\u0026b"}"# + "\n")
    }

    @Test func keysAreCaseInsensitiveAndUnknownKeysIgnored() {
        #expect(run(["store"], #"{"serverurl":"r","USERNAME":"u","secret":"s","Extra":[1]}"#).status == 0)
        #expect(store.entries["r"] == HelperCredential(serverURL: "r", username: "u", secret: "s"))
    }

    @Test func exactProtocolErrors() {
        #expect(run(["get"], "  \n") == .failure("no credentials server URL"))
        #expect(run(["erase"], "") == .failure("no credentials server URL"))
        #expect(run(["store"], #"{"Username":"u","Secret":"s"}"#).stdout == "no credentials server URL\n")
        #expect(run(["store"], #"{"ServerURL":"r","Secret":"s"}"#).stdout == "no credentials username\n")
        #expect(
            run(["get"], "missing.example")
                == HelperOutcome(stdout: "credentials not found in native keychain\n", status: 1))
    }

    @Test func emptySecretIsAccepted() {
        #expect(run(["store"], #"{"ServerURL":"r","Username":"u","Secret":""}"#).status == 0)
        #expect(run(["get"], "r").stdout == #"{"ServerURL":"r","Username":"u","Secret":""}"# + "\n")
    }

    @Test func emptyListIsAnEmptyObjectAndListIsSorted() {
        #expect(run(["list"]) == HelperOutcome(stdout: "{}\n"))
        store.entries = [
            "b": .init(serverURL: "b", username: "ub", secret: "x"),
            "a": .init(serverURL: "a", username: "ua", secret: "y"),
        ]
        #expect(run(["list"]).stdout == #"{"a":"ua","b":"ub"}"# + "\n")
    }

    @Test func versionHelpAndUsage() {
        for flag in ["version", "-v", "--version"] {
            #expect(run([flag]) == HelperOutcome(stdout: "docker-credential-test (ossb-registry) 9.9.9\n"))
        }
        for flag in ["-h", "--help"] {
            #expect(
                run([flag]) == HelperOutcome(stdout: "Usage: docker-credential-test <store|get|erase|list|version>\n"))
        }
        for bad in [[], ["bogus"], ["get", "extra"]] {
            #expect(
                run(bad)
                    == HelperOutcome(
                        stdout: "Usage: docker-credential-test <store|get|erase|list|version>\n", status: 1))
        }
    }

    @Test func versionNeedsNoStore() {
        let outcome = helper.run(
            arguments: ["version"], readInput: { [] },
            makeStore: {
                throw CredentialStoreError(.unavailable, "no store here")
            })
        #expect(outcome.status == 0)
    }

    @Test func listDoesNotReadInput() {
        var readCalled = false
        _ = helper.run(
            arguments: ["list"],
            readInput: {
                readCalled = true
                return []
            }, makeStore: { store })
        #expect(!readCalled)
    }

    @Test func storeFailureMessagesAreSingleLines() {
        let outcome = helper.run(
            arguments: ["list"], readInput: { [] },
            makeStore: {
                throw CredentialStoreError(.unavailable, "line one\nline two")
            })
        #expect(outcome == HelperOutcome(stdout: "line one line two\n", status: 1))
    }
}

import Foundation
import Testing

/// gnome-keyring answers a search with UnknownMethod ("Method SearchItems is not implemented") when its handler
/// gives up before answering, as it did in CI for a caller whose first message it was still registering while
/// other processes stored and erased items. The helper sends the search again, a few times, briefly; a service
/// that keeps refusing still gets the one-line keyring error, quickly. scripts/testbed/flaky-keyring.py refuses
/// every caller's first search, and every search for `always-unknown.example`.
@Suite(
    .enabled(
        if: TestBed.flakyKeyringBus != nil,
        "needs scripts/test.sh's flaky Secret Service (OSSB_TEST_FLAKY_KEYRING_BUS)"))
struct SecretServiceRetryProcessTests {
    let home = TemporaryDirectory()
    var env: [String: String] { TestBed.keyringEnvironment(bus: TestBed.flakyKeyringBus, home: home.path) }

    @Test func aSearchRefusedOnceIsSentAgain() throws {
        let helper = TestBed.secretServiceHelper
        let listed = try ChildProcess.run(helper, ["list"], input: "", environment: env)
        #expect(listed.status == 0, "\(listed)")
        #expect(listed.stdout == #"{"flaky.example":"flaky-user"}"# + "\n", "\(listed)")
        // `get` sends two searches at once (the exact address and every docker item); the first is refused.
        let missing = try ChildProcess.run(helper, ["get"], input: "other.example", environment: env)
        #expect(missing.status == 1, "\(missing)")
        #expect(missing.stdout == "credentials not found in native keychain\n", "\(missing)")
    }

    @Test func aSearchRefusedEveryTimeFailsInOneLineAndQuickly() throws {
        let started = Date()
        let refused = try ChildProcess.run(
            TestBed.secretServiceHelper, ["get"], input: "always-unknown.example", environment: env)
        #expect(refused.status == 1, "\(refused)")
        #expect(
            refused.stdout
                == "keyring error: cannot read credentials in the Secret Service (Method SearchItems is not implemented on interface org.freedesktop.Secret.Service); check that the keyring is running and unlocked, or use the file backend (docker-credential-ossb-file)\n",
            "\(refused)")
        #expect(Date().timeIntervalSince(started) < 5)
    }
}

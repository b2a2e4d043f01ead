import Foundation
import Testing

/// The keyring helper where no keyring answers: every action fails with exit status 1 and one line naming
/// the cause and the way out (start a keyring, or the file backend), within OSSB_KEYRING_TIMEOUT, never a hang.
/// An `erase` that reached a keyring but could not finish says the credential may remain.
@Suite struct SecretServiceHeadlessProcessTests {
    static let actions: [(action: String, input: String)] = [
        ("get", "headless.example"),
        ("store", #"{"ServerURL":"headless.example","Username":"u","Secret":"headless-pw"}"#),
        ("erase", "headless.example"), ("list", ""),
    ]
    static let prefix = "keyring unavailable: "
    static let mayRemain = "; the credential may remain in the keyring\n"
    static let remedy =
        "start and unlock a keyring (gnome-keyring-daemon --unlock in a D-Bus session, see docs/keyring.md) or use the file backend (docker-credential-ossb-file)\n"

    let home = TemporaryDirectory()

    /// Runs every action against `bus` and checks the failure shape; returns the stdout lines.
    func everyActionFails(
        bus: String?, extra: [String: String] = [:], within seconds: Double, prefix: String = Self.prefix,
        suffix: String = Self.remedy
    ) throws -> [String] {
        let env = TestBed.keyringEnvironment(bus: bus, home: home.path, extra: extra)
        var lines: [String] = []
        for (action, input) in Self.actions {
            let started = ContinuousClock.now
            let result = try ChildProcess.run(
                TestBed.secretServiceHelper, [action], input: input, environment: env, timeout: seconds + 10)
            let elapsed = ContinuousClock.now - started
            #expect(result.status == 1, "\(action): \(result)")
            #expect(result.stderr.isEmpty, "\(action): \(result)")
            #expect(result.stdout.hasPrefix(prefix), "\(action): \(result)")
            #expect(
                result.stdout.hasSuffix(action == "erase" && prefix != Self.prefix ? Self.mayRemain : suffix),
                "\(action): \(result)")
            #expect(result.stdout.filter { $0 == "\n" }.count == 1, "\(action): \(result)")
            #expect(!result.stdout.contains("headless-pw"))
            // The bound is the point of the feature: a generous margin for process start-up, no more.
            #expect(elapsed < .seconds(seconds + 2), "\(action) took \(elapsed)")
            lines.append(result.stdout)
        }
        return lines
    }

    @Test func noSessionBusAtAll() throws {
        let lines = try everyActionFails(bus: nil, within: 0)
        for line in lines {
            #expect(line.hasPrefix("keyring unavailable: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set"))
        }
    }

    @Test func aBusAddressNobodyListensOn() throws {
        let lines = try everyActionFails(bus: "unix:path=\(home.file("no-such-socket"))", within: 0)
        for line in lines { #expect(line.hasPrefix("keyring unavailable: cannot connect to the D-Bus session bus (")) }
    }

    @Test(.enabled(if: TestBed.bareBus != nil, "needs scripts/test.sh's bare bus (OSSB_TEST_BARE_BUS)"))
    func aBusWithoutAKeyringDaemon() throws {
        let lines = try everyActionFails(bus: TestBed.bareBus, within: 0)
        for line in lines {
            #expect(
                line.hasPrefix(
                    "keyring unavailable: no Secret Service on the D-Bus session bus (nothing provides org.freedesktop.secrets)"
                ))
        }
    }

    @Test(.enabled(if: TestBed.silentBus != nil, "needs scripts/test.sh's silent bus (OSSB_TEST_SILENT_BUS)"))
    func aBusThatNeverAnswersIsBoundedByTheTimeout() throws {
        // Not "unavailable": a keyring that is slow may hold the credential, so the front must not fall back.
        let lines = try everyActionFails(
            bus: TestBed.silentBus, extra: ["OSSB_KEYRING_TIMEOUT": "1"], within: 1, prefix: "keyring not answering: ",
            suffix: "check that the keyring daemon is responsive, or raise OSSB_KEYRING_TIMEOUT\n")
        for line in lines {
            #expect(
                line.hasPrefix(
                    "keyring not answering: the Secret Service did not answer within 1 s (OSSB_KEYRING_TIMEOUT)"))
        }
    }

    @Test func aBadTimeoutIsReportedBeforeAnyKeyringCall() throws {
        let env = TestBed.keyringEnvironment(
            bus: TestBed.silentBus, home: home.path, extra: ["OSSB_KEYRING_TIMEOUT": "soon"])
        let result = try ChildProcess.run(
            TestBed.secretServiceHelper, ["get"], input: "x.example", environment: env, timeout: 10)
        #expect(
            result
                == .init(
                    stdout:
                        "OSSB_KEYRING_TIMEOUT must be a number of seconds more than 0 and at most 86400 (got \"soon\"); unset it to use 5 s\n",
                    stderr: "", status: 1))
    }
}

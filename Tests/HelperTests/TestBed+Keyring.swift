import Foundation
import Testing

/// The keyring test beds: the gnome-keyring session `swift test` runs inside, and the buses on which no
/// keyring answers (scripts/testbed/dbus-beds.sh).
extension TestBed {
    /// The session bus of the unlocked gnome-keyring, when scripts/testbed/keyring-session.sh brought it up.
    static var keyringBus: String? {
        guard environment["OSSB_TEST_KEYRING"] != nil else { return nil }
        return environment["DBUS_SESSION_BUS_ADDRESS"]
    }

    /// A session bus with no Secret Service on it.
    static var bareBus: String? { environment["OSSB_TEST_BARE_BUS"] }

    /// A session bus whose Secret Service refuses each caller's first search with UnknownMethod, as gnome-keyring
    /// does under load (scripts/testbed/flaky-keyring.py).
    static var flakyKeyringBus: String? { environment["OSSB_TEST_FLAKY_KEYRING_BUS"] }

    /// A socket that accepts D-Bus connections and never answers.
    static var silentBus: String? { environment["OSSB_TEST_SILENT_BUS"] }

    /// Go's reference helper from golang-docker-credential-helpers.
    static var goSecretService: String? { which("docker-credential-secretservice") }

    /// Our keyring helper.
    static let secretServiceHelper = ChildProcess.product("docker-credential-ossb-secretservice")

    /// Whether a keyring session of a test's own can be started (`inNestedKeyringSession`).
    static var canNestKeyringSession: Bool {
        which("gnome-keyring-daemon") != nil && which("dbus-run-session") != nil
    }

    /// Runs the bash `script` in a private D-Bus session with an unlocked gnome-keyring of its own
    /// (scripts/testbed/keyring-session.sh), for a test that changes the keyring as a whole (locks it, or needs
    /// it to hold only its own items). The script is kept in `dir` as `inner.sh` and finds that directory in
    /// `$out`; it runs with `set -u`. When the keyring does not come up, keyring-session.sh runs nothing, says why
    /// on stderr and exits 1.
    /// - Throws: a failed requirement when the script ran without the keyring.
    static func inNestedKeyringSession(
        _ script: String, in dir: TemporaryDirectory, environment: [String: String], timeout: Double
    ) throws -> ChildProcess.Result {
        try dir.write(
            "inner.sh",
            """
            set -u
            out=$1
            [ -n "${OSSB_TEST_KEYRING:-}" ] || { echo "no keyring" > "$out/error"; exit 0; }

            """ + script)
        // Children of the test runner inherit its blocked SIGTERM, and dbus-run-session stops its bus with
        // SIGTERM: without unblocking, the nested session's daemons never exit. Python resets the mask.
        let unblockAndExec =
            "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execvp(sys.argv[1], sys.argv[1:])"
        var environment = environment
        environment["PATH"] = TestBed.environment["PATH"] ?? "/usr/bin:/bin"
        let result = try ChildProcess.run(
            try #require(which("python3")),
            [
                "-c", unblockAndExec, "\(repositoryRoot)/scripts/testbed/keyring-session.sh", "bash",
                dir.file("inner.sh"), dir.path,
            ],
            input: "", environment: environment, timeout: timeout)
        try #require(!dir.exists("error"), "the nested keyring session did not come up: \(result.stderr)")
        return result
    }

    /// A server name no other test uses: the keyring is shared by the whole run and tests run in parallel.
    static func uniqueServer(_ tag: String) -> String {
        "\(tag)-\(UInt32.random(in: 0...UInt32.max)).helper-tests.example:5000"
    }

    /// The environment for a helper talking to `bus`, with nothing else that could reach a desktop session.
    static func keyringEnvironment(bus: String?, home: String, extra: [String: String] = [:]) -> [String: String] {
        var env = ["HOME": home, "XDG_RUNTIME_DIR": home]
        if let bus { env["DBUS_SESSION_BUS_ADDRESS"] = bus }
        env.merge(extra) { $1 }
        return env
    }
}

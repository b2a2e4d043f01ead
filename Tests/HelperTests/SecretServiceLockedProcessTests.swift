import Foundation
import Testing

/// A locked collection is an error, not a wait: in a keyring session of its own (so the shared one stays
/// unlocked), the test stores an item, locks the login collection over D-Bus, and runs every action.
/// Go's helper 0.6.4 crashes (SIGSEGV) on `get` here; ours names the cause and the way out.
@Suite struct SecretServiceLockedProcessTests {
    @Test(.enabled(if: TestBed.which("gnome-keyring-daemon") != nil && TestBed.which("dbus-run-session") != nil,
                   "needs gnome-keyring and dbus (scripts/install-deps.sh)"))
    func lockedCollectionFailsFastWithoutPrompting() throws {
        let dir = TemporaryDirectory()
        try dir.write("inner.sh", """
            set -u
            out=$1
            [ -n "${OSSB_TEST_KEYRING:-}" ] || { echo "no keyring" > "$out/error"; exit 0; }
            echo '{"ServerURL":"locked.example","Username":"u","Secret":"locked-pw"}' | "$HELPER" store > "$out/seed.out"
            dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \\
              org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login > /dev/null
            dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets/aliases/default \\
              org.freedesktop.DBus.Properties.Get string:org.freedesktop.Secret.Collection string:Locked > "$out/locked"
            for action in get erase list; do
              echo locked.example | "$HELPER" $action > "$out/$action.out" 2> "$out/$action.err"; echo $? > "$out/$action.rc"
            done
            echo '{"ServerURL":"locked.example","Username":"u","Secret":"new-pw"}' | "$HELPER" store \\
              > "$out/store.out" 2> "$out/store.err"; echo $? > "$out/store.rc"

            """)
        // Children of the test runner inherit its blocked SIGTERM, and dbus-run-session stops its bus with
        // SIGTERM: without unblocking, the nested session's daemons never exit. Python resets the mask.
        let unblockAndExec =
            "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execvp(sys.argv[1], sys.argv[1:])"
        let result = try ChildProcess.run(
            try #require(TestBed.which("python3")),
            ["-c", unblockAndExec, "\(TestBed.repositoryRoot)/scripts/testbed/keyring-session.sh", "bash",
             dir.file("inner.sh"), dir.path],
            input: "",
            environment: [
                "PATH": TestBed.environment["PATH"] ?? "/usr/bin:/bin", "HELPER": TestBed.secretServiceHelper,
                "OSSB_KEYRING_TIMEOUT": "20",
            ],
            timeout: 60)
        #expect(result.status == 0, "\(result)")
        try #require(!dir.exists("error"), "the nested keyring session did not come up: \(result.stderr)")
        #expect(try dir.read("seed.out").isEmpty)
        #expect(try dir.read("locked").contains("boolean true"), "the collection should now be locked")

        let lockedLine = "keyring locked: the keyring's default collection is locked and unlocking it needs an interactive prompt; start and unlock a keyring (gnome-keyring-daemon --unlock in a D-Bus session, see docs/keyring.md) or use the file backend (docker-credential-ossb-file)\n"
        for action in ["get", "erase", "store"] {
            #expect(try dir.read("\(action).rc") == "1\n", "\(action)")
            #expect(try dir.read("\(action).out") == lockedLine, "\(action)")
            #expect(try dir.read("\(action).err").isEmpty, "\(action)")
        }
        // Attributes stay readable while locked, so `list` (which never shows secrets) still answers.
        #expect(try dir.read("list.rc") == "0\n")
        #expect(try dir.read("list.out") == #"{"locked.example":"u"}"# + "\n")
    }
}

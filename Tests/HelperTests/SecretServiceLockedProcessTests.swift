import Foundation
import Testing

/// A locked collection: in a keyring session of its own (so the shared one stays unlocked), the test stores an
/// item, locks the login collection over D-Bus, and runs every action. Each asks the Secret Service to unlock
/// (a desktop would show its prompt); this bed has no prompter, so the service dismisses the prompt and each
/// action fails at once with one line saying how to unlock. Go's helper 0.6.4 crashes (SIGSEGV) on `get` here.
@Suite struct SecretServiceLockedProcessTests {
    @Test(
        .enabled(if: TestBed.canNestKeyringSession, "needs gnome-keyring and dbus (scripts/install-deps.sh)"))
    func lockedCollectionFailsFastWithoutPrompting() throws {
        let dir = TemporaryDirectory()
        let script = """
            echo '{"ServerURL":"locked.example","Username":"u","Secret":"locked-pw"}' | "$HELPER" store > "$out/seed.out"
            dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \\
              org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login > /dev/null
            dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets/aliases/default \\
              org.freedesktop.DBus.Properties.Get string:org.freedesktop.Secret.Collection string:Locked > "$out/locked"
            # Records every Unlock request the Secret Service receives: asking it is what lets a desktop prompt.
            dbus-monitor --session "type='method_call',interface='org.freedesktop.Secret.Service',member='Unlock'" \\
              > "$out/monitor" 2>/dev/null & monitor=$!
            sleep 0.3
            for action in get erase list; do
              echo locked.example | "$HELPER" $action > "$out/$action.out" 2> "$out/$action.err"; echo $? > "$out/$action.rc"
            done
            echo '{"ServerURL":"locked.example","Username":"u","Secret":"new-pw"}' | "$HELPER" store \\
              > "$out/store.out" 2> "$out/store.err"; echo $? > "$out/store.rc"
            sleep 0.3; kill $monitor
            # The front with credential_store auto: a locked keyring is an error, never a reason to use the file.
            mkdir -p "$out/home"
            echo '{"ServerURL":"front-locked.example","Username":"u","Secret":"front-pw"}' | HOME="$out/home" "$FRONT" store \\
              > "$out/front-store.out" 2> "$out/front-store.err"; echo $? > "$out/front-store.rc"
            echo locked.example | HOME="$out/home" "$FRONT" erase > "$out/front-erase.out" 2>&1; echo $? > "$out/front-erase.rc"

            """
        let result = try TestBed.inNestedKeyringSession(
            script, in: dir,
            environment: [
                "HELPER": TestBed.secretServiceHelper, "FRONT": ChildProcess.product("docker-credential-ossb"),
                "OSSB_KEYRING_TIMEOUT": "20",
            ],
            timeout: 60)
        #expect(result.status == 0, "\(result)")
        #expect(try dir.read("seed.out").isEmpty)
        #expect(try dir.read("locked").contains("boolean true"), "the collection should now be locked")

        let locked =
            "keyring locked: the keyring's default collection is locked and the Secret Service could not unlock it (its password prompt was dismissed or cannot be shown here); unlock it (log in to the desktop session, or run `gnome-keyring-daemon --replace --unlock --components=secrets` and type the keyring password on its standard input, see docs/keyring.md) and try again"
        let expected = [
            "get": locked + "\n", "store": locked + "\n",
            "erase": locked + "; the credential may remain in the keyring\n",
        ]
        for (action, line) in expected {
            #expect(try dir.read("\(action).rc") == "1\n", "\(action)")
            #expect(try dir.read("\(action).out") == line, "\(action)")
            #expect(try dir.read("\(action).err").isEmpty, "\(action)")
        }
        // get, erase and store each asked the Secret Service to unlock (where a desktop shows its prompt).
        let monitor = try dir.read("monitor")
        #expect(monitor.components(separatedBy: "member=Unlock").count - 1 >= 3, "\(monitor)")
        #expect(try dir.read("front-store.rc") == "1\n")
        let frontStore = try dir.read("front-store.out")
        #expect(frontStore.contains("keyring locked:"), "\(frontStore)")
        #expect(!dir.exists("home/.ossb/credentials.json"), "no fall back to the plain-text file")
        #expect(try dir.read("front-erase.rc") == "1\n")
        #expect(try dir.read("front-erase.out").contains("the credential may remain in the keyring"))
        // Attributes stay readable while locked, so `list` (which never shows secrets) still answers.
        #expect(try dir.read("list.rc") == "0\n")
        #expect(try dir.read("list.out") == #"{"locked.example":"u"}"# + "\n")
    }
}

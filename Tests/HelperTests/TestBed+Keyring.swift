import Foundation

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

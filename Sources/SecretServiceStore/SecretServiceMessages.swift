/// The fixed parts of the keyring backend's messages, so that programs running the helper (the
/// `docker-credential-ossb` front) can tell "no keyring here" from "no such credential" without parsing prose.
///
/// Every failure to reach a Secret Service is one line on stdout, exit status 1, starting with
/// `unavailablePrefix`; a locked collection starts with `lockedPrefix`. "Not found" stays the protocol's
/// exact `credentials not found in native keychain`.
public enum SecretServiceMessages {
    /// Starts every message that means no Secret Service answered: no D-Bus session bus, no keyring daemon
    /// on the bus, or no answer within `OSSB_KEYRING_TIMEOUT`.
    public static let unavailablePrefix = "keyring unavailable:"

    /// Starts the message for a keyring that answered but whose collection is locked and would need an
    /// interactive prompt to unlock.
    public static let lockedPrefix = "keyring locked:"

    /// The way out, appended to every unavailable and locked message.
    public static let remedy =
        "start and unlock a keyring (gnome-keyring-daemon --unlock in a D-Bus session, see docs/keyring.md) or use the file backend (docker-credential-ossb-file)"

    /// No session bus address at all: `DBUS_SESSION_BUS_ADDRESS` unset, no `$XDG_RUNTIME_DIR/bus`, no X display.
    public static var noSessionBus: String {
        "\(unavailablePrefix) no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set and there is no $XDG_RUNTIME_DIR/bus); \(remedy)"
    }

    /// A session bus address that could not be connected to.
    static func cannotConnect(_ detail: String) -> String {
        "\(unavailablePrefix) cannot connect to the D-Bus session bus (\(detail)); \(remedy)"
    }

    /// A bus on which nothing provides `org.freedesktop.secrets`.
    static var noSecretService: String {
        "\(unavailablePrefix) no Secret Service on the D-Bus session bus (nothing provides org.freedesktop.secrets); \(remedy)"
    }

    /// The watchdog fired.
    static func timedOut(_ seconds: Double) -> String {
        "\(unavailablePrefix) the Secret Service did not answer within \(KeyringTimeout.format(seconds)) s (OSSB_KEYRING_TIMEOUT); \(remedy)"
    }

    /// The default collection, or an item in it, is locked.
    static var locked: String {
        "\(lockedPrefix) the keyring's default collection is locked and unlocking it needs an interactive prompt; \(remedy)"
    }

    /// The keyring has no default collection (a fresh keyring on a headless machine, before any login).
    static var noDefaultCollection: String {
        "\(unavailablePrefix) the Secret Service has no default collection (creating one needs an interactive prompt); \(remedy)"
    }
}

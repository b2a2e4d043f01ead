import AuthCore

/// The fixed parts of the keyring backend's messages, so that programs running the helper (the
/// `docker-credential-ossb` front) can tell "no keyring here" from "a keyring that failed" from "no such
/// credential" without parsing prose.
///
/// Every failure is one line on stdout, exit status 1. Only the absence of a Secret Service (no session bus,
/// nothing on it providing `org.freedesktop.secrets`) starts with `unavailablePrefix`: that is the one case in
/// which `credential_store: auto` may fall back to the file. A locked collection starts with `lockedPrefix`, a
/// service that did not answer in time with `timeoutPrefix`. "Not found" stays the protocol's exact
/// `credentials not found in native keychain`.
package enum SecretServiceMessages {
    /// Starts every message that means no Secret Service exists here: no D-Bus session bus, or no keyring
    /// daemon on it.
    package static let unavailablePrefix = KeyringSource.unavailablePrefix

    /// Starts the message for a keyring that answered but whose collection is locked and was not unlocked.
    package static let lockedPrefix = "keyring locked:"

    /// Starts the message for a Secret Service that did not answer within `OSSB_KEYRING_TIMEOUT`.
    package static let timeoutPrefix = "keyring not answering:"

    /// The way out, appended to every message about a missing Secret Service.
    package static let remedy =
        "start and unlock a keyring (gnome-keyring-daemon --unlock in a D-Bus session, see docs/keyring.md) or use the file backend (docker-credential-ossb-file)"

    /// How to unlock a locked keyring without a desktop prompt.
    static let unlockRemedy =
        "unlock it (log in to the desktop session, or run `gnome-keyring-daemon --replace --unlock --components=secrets` and type the keyring password on its standard input, see docs/keyring.md) and try again"

    /// Appended to a failed `erase` whose keyring could not be changed.
    static let mayRemain = "; the credential may remain in the keyring"

    /// No session bus address at all: `DBUS_SESSION_BUS_ADDRESS` unset, no `$XDG_RUNTIME_DIR/bus`, no X display.
    package static var noSessionBus: String {
        "\(unavailablePrefix) no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set, there is no $XDG_RUNTIME_DIR/bus and no DISPLAY); \(remedy)"
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
        "\(timeoutPrefix) the Secret Service did not answer within \(KeyringTimeout.format(seconds)) s (OSSB_KEYRING_TIMEOUT); check that the keyring daemon is responsive, or raise OSSB_KEYRING_TIMEOUT"
    }

    /// The default collection, or an item in it, is locked and the Secret Service's unlock prompt was
    /// dismissed or could not be shown (no prompter, a headless session).
    static var locked: String {
        "\(lockedPrefix) the keyring's default collection is locked and the Secret Service could not unlock it (its password prompt was dismissed or cannot be shown here); \(unlockRemedy)"
    }

    /// The keyring has no default collection (a fresh keyring on a headless machine, before any login).
    static var noDefaultCollection: String {
        "keyring error: the Secret Service has no default collection (creating one needs an interactive prompt); log in to the desktop session once, or start gnome-keyring-daemon --unlock (see docs/keyring.md)"
    }

    /// A stored credential that could not be read back: the older items were kept.
    static var unconfirmedStore: String {
        "keyring error: the Secret Service accepted the credential but reading it back gave something else; the previous items were kept, check the keyring and try again"
    }
}

import Glibc

/// Where GLib would find the D-Bus session bus, worked out without connecting: the cheap first half of
/// "is there a keyring here?", answered in microseconds and without linking libsecret.
///
/// The front decides whether to ask the keyring helper with this, and the keyring helper decides whether to
/// try libsecret with it, so the two can never disagree: a bus the helper would try is a bus the front asks
/// about, and where the helper would fail at once the front does not start it.
package enum SessionBus {
    /// The session bus address GLib would use, or `nil` when there certainly is none.
    ///
    /// GLib tries `DBUS_SESSION_BUS_ADDRESS`, then the socket `$XDG_RUNTIME_DIR/bus`, then X11 autolaunch
    /// (`dbus-launch`, which needs `DISPLAY`). When none applies, connecting can only fail, so callers fail at once.
    /// - Parameter environment: the variables to read.
    /// - Returns: an address, `autolaunch:` when only X11 autolaunch remains, or `nil`.
    package static func address(environment: Environment) -> String? {
        if let address = environment["DBUS_SESSION_BUS_ADDRESS"] { return address }
        if let runtime = environment["XDG_RUNTIME_DIR"] {
            let socket = runtime + "/bus"
            var info = stat()
            if stat(socket, &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK { return "unix:path=\(socket)" }
        }
        if environment["DISPLAY"] != nil { return "autolaunch:" }
        return nil
    }

    /// Whether a session bus can exist here at all (`address(environment:)` is not `nil`).
    package static func mayExist(_ environment: Environment) -> Bool {
        address(environment: environment) != nil
    }
}

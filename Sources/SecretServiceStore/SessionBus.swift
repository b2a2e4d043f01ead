import AuthCore
import Glibc

/// Where GLib would find the D-Bus session bus, worked out without connecting: the cheap first half of
/// "is there a keyring here?", answered in microseconds.
public enum SessionBus {
    /// The session bus address GLib would use, or `nil` when there certainly is none.
    ///
    /// GLib tries `DBUS_SESSION_BUS_ADDRESS`, then the socket `$XDG_RUNTIME_DIR/bus`, then X11 autolaunch
    /// (which needs `DISPLAY`). When none applies, connecting can only fail, so callers fail at once.
    /// - Parameter environment: the variables to read.
    /// - Returns: an address, `autolaunch:` when only X11 autolaunch remains, or `nil`.
    public static func address(environment: Environment) -> String? {
        if let address = environment["DBUS_SESSION_BUS_ADDRESS"] { return address }
        if let runtime = environment["XDG_RUNTIME_DIR"] {
            let socket = runtime + "/bus"
            var info = stat()
            if stat(socket, &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK { return "unix:path=\(socket)" }
        }
        if environment["DISPLAY"] != nil { return "autolaunch:" }
        return nil
    }
}

import Glibc

/// How many columns a terminal has: the kernel's window size (`TIOCGWINSZ`), else `COLUMNS`, else 80. Asked on
/// every redraw, so bars follow a resized window.
enum TerminalWidth {
    /// The width of the terminal on `fd`.
    /// - Parameter columnsVariable: `COLUMNS` from the environment, used when the kernel does not know.
    static func columns(fd: Int32, columnsVariable: String? = getenv("COLUMNS").map { String(cString: $0) }) -> Int {
        var size = winsize()
        if ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let text = columnsVariable, let columns = Int(text), columns > 0 { return columns }
        return 80
    }
}

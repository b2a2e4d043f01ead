import AuthCore
import Glibc
import Synchronization

/// Reads a line from the terminal, optionally without echo (for passwords). Used only when standard input is
/// a terminal; scripts use `--password-stdin`.
enum TerminalPrompt {
    static func read(_ prompt: String, echo: Bool) -> String? {
        var saved = termios()
        let canToggle = tcgetattr(0, &saved) == 0
        let quietened = canToggle && !echo
        if quietened {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            // Echo goes off before the prompt appears, so nothing typed right after it is shown; Ctrl-C
            // meanwhile gives the terminal its echo back before the process ends (`Interruption`).
            TerminalRestore.arm(saved)
            tcsetattr(0, TCSAFLUSH, &quiet)
        }
        StandardStreams.write(prompt, to: 2)
        defer {
            if quietened {
                tcsetattr(0, TCSAFLUSH, &saved)
                TerminalRestore.disarm()
                StandardStreams.write("\n", to: 2)
            }
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while Glibc.read(0, &byte, 1) == 1 {
            if byte == 0x0A { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }
}

/// The terminal settings a prompt without echo replaced, so that a signal ending the process mid-prompt
/// (`Interruption`) gives the terminal its echo back first.
enum TerminalRestore {
    private static let armed = Mutex<termios?>(nil)

    static func arm(_ settings: termios) { armed.withLock { $0 = settings } }

    static func disarm() { armed.withLock { $0 = nil } }

    /// Puts back the settings of a prompt that is waiting; returns whether one was.
    static func restore() -> Bool {
        armed.withLock { settings in
            guard var saved = settings else { return false }
            tcsetattr(0, TCSAFLUSH, &saved)
            StandardStreams.write("\n", to: 2)
            return true
        }
    }
}

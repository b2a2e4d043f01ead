import Glibc

/// Reads a line from the terminal, optionally without echo (for passwords). Used only when standard input is
/// a terminal; scripts use `--password-stdin`.
enum TerminalPrompt {
    static func read(_ prompt: String, echo: Bool) -> String? {
        StandardStream.write(prompt, to: 2)
        var saved = termios()
        let canToggle = tcgetattr(0, &saved) == 0
        if canToggle && !echo {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(0, TCSAFLUSH, &quiet)
        }
        defer {
            if canToggle && !echo {
                tcsetattr(0, TCSAFLUSH, &saved)
                StandardStream.write("\n", to: 2)
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

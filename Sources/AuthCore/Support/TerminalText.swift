/// Text a registry, token server or mirror supplied, made inert for a terminal or a log.
///
/// A registry's error message, tag or platform string can carry ANSI/VT escape sequences (clear the screen,
/// move the cursor, set the window title through OSC) or a carriage return that overwrites what this tool
/// printed, so a hostile server could forge a line such as "Login Succeeded". Every C0 and C1 control
/// character (and DEL) is removed; the printable rest of an escape sequence stays visible and harmless.
package enum TerminalText {
    /// `text` without control characters: line breaks and tabs become a space (the text joins one line),
    /// every other C0 control, DEL and every C1 control (U+0080 to U+009F) is removed.
    /// - Parameter text: registry-supplied text.
    /// - Returns: text that prints as itself.
    package static func sanitized(_ text: some StringProtocol) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A, 0x0D: out.append(" ")
            case 0x00..<0x20, 0x7F...0x9F: continue
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whether `text` holds no control character at all (nothing `sanitized` would change).
    package static func isInert(_ text: some StringProtocol) -> Bool {
        !text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }
}

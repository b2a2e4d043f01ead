/// Serialises `JSONValue` trees the way Go's `encoding/json` does, because docker, skopeo and podman are Go
/// programs and users compare our files and output with theirs.
///
/// Strings are escaped as Go escapes them: `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026` (so an identity
/// token's Username `<token>` is written `"\u003ctoken\u003e"`, byte for byte as docker's helpers write it),
/// U+2028 and U+2029 escaped, other control characters as `\uXXXX`.
package enum JSONWriter {
    /// One line with no spaces, as `json.Marshal` writes it.
    package static func compact(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out, indent: nil, level: 0)
        return out
    }

    /// Indented with one tab per level, as docker writes `config.json` (`json.MarshalIndent(v, "", "\t")`).
    package static func indented(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out, indent: "\t", level: 0)
        return out
    }

    /// A JSON string literal for `text`, with Go's escaping.
    package static func quoted(_ text: String) -> String {
        var out = ""
        appendQuoted(text, to: &out)
        return out
    }

    private static func write(_ value: JSONValue, into out: inout String, indent: String?, level: Int) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): appendQuoted(s, to: &out)
        case .array(let elements):
            if elements.isEmpty {
                out += "[]"
                return
            }
            out += "["
            for (i, element) in elements.enumerated() {
                if i > 0 { out += "," }
                newline(&out, indent: indent, level: level + 1)
                write(element, into: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent: indent, level: level)
            out += "]"
        case .object(let object):
            if object.isEmpty {
                out += "{}"
                return
            }
            out += "{"
            for (i, member) in object.members.enumerated() {
                if i > 0 { out += "," }
                newline(&out, indent: indent, level: level + 1)
                appendQuoted(member.name, to: &out)
                out += indent == nil ? ":" : ": "
                write(member.value, into: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent: indent, level: level)
            out += "}"
        }
    }

    private static func newline(_ out: inout String, indent: String?, level: Int) {
        guard let indent else { return }
        out += "\n"
        for _ in 0..<level { out += indent }
    }

    private static let hexDigits = Array("0123456789abcdef")

    private static func appendQuoted(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                appendUnicodeEscape(scalar.value, to: &out)
            default:
                if scalar.value < 0x20 {
                    appendUnicodeEscape(scalar.value, to: &out)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    private static func appendUnicodeEscape(_ value: UInt32, to out: inout String) {
        out += "\\u"
        for shift in stride(from: 12, through: 0, by: -4) {
            out.append(hexDigits[Int((value >> UInt32(shift)) & 0xF)])
        }
    }
}

/// One challenge of a `WWW-Authenticate` header (RFC 7235): a scheme and either parameters or a token68.
///
/// Scheme and parameter names are case-insensitive: both are kept lower-cased. Values keep their case, with
/// quoted-string escapes resolved.
package struct AuthChallenge: Sendable, Equatable {
    /// The scheme, lower-cased (`bearer`, `basic`).
    package var scheme: String
    /// Parameters by lower-cased name; the first occurrence wins, as RFC 7235 forbids repeats.
    package var parameters: [String: String]
    /// The token68 form (`Negotiate abc==`), when the challenge has one instead of parameters.
    package var token68: String?

    /// Creates a challenge.
    package init(scheme: String, parameters: [String: String] = [:], token68: String? = nil) {
        self.scheme = scheme.lowercased()
        self.parameters = parameters
        self.token68 = token68
    }

    /// The value of a parameter, by case-insensitive name.
    package subscript(parameter name: String) -> String? { parameters[name.lowercased()] }

    /// Parses every challenge in the `WWW-Authenticate` header values of one response, in order. A response
    /// may send several challenges in one value, or several values; both are handled.
    package static func parse(headerValues: [String]) -> [AuthChallenge] {
        headerValues.flatMap { parse($0) }
    }

    /// Parses every challenge in one header value. Never fails: malformed parts are skipped, so a hostile
    /// header yields fewer challenges, not a crash.
    package static func parse(_ header: String) -> [AuthChallenge] {
        var parser = ChallengeParser(Array(header.utf8))
        return parser.parseAll()
    }
}

/// The scanner behind `AuthChallenge.parse`:
/// `challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, `auth-param = token BWS "=" BWS ( token /
/// quoted-string )`, challenges and parameters both separated by commas. A comma is followed by a new
/// challenge when a token follows it that is not itself followed by `=`.
struct ChallengeParser {
    let bytes: [UInt8]
    var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(b)
        }
    }

    static func isToken68Byte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("-._~+/".utf8).contains(b)
        }
    }

    var atEnd: Bool { i >= bytes.count }
    var current: UInt8? { i < bytes.count ? bytes[i] : nil }

    mutating func skipSpaces() {
        while let b = current, b == 0x20 || b == 0x09 { i += 1 }
    }

    mutating func skipSpacesAndCommas() {
        while let b = current, b == 0x20 || b == 0x09 || b == UInt8(ascii: ",") { i += 1 }
    }

    mutating func readToken() -> String {
        let start = i
        while let b = current, Self.isTokenByte(b) { i += 1 }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    /// Reads a quoted string starting at `"`, resolving `\x` escapes. An unterminated string runs to the end.
    mutating func readQuoted() -> String {
        i += 1  // opening quote
        var out: [UInt8] = []
        while let b = current {
            i += 1
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\"), let escaped = current {
                out.append(escaped)
                i += 1
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Skips to the next top-level comma (outside quotes), for recovering from junk.
    mutating func skipToComma() {
        while let b = current, b != UInt8(ascii: ",") {
            if b == UInt8(ascii: "\"") { _ = readQuoted() } else { i += 1 }
        }
    }

    /// Whether a token68 starts here: token68 characters, optional `=` padding, then the end or a comma.
    func token68End() -> Int? {
        var j = i
        while j < bytes.count, Self.isToken68Byte(bytes[j]) { j += 1 }
        guard j > i else { return nil }
        while j < bytes.count, bytes[j] == UInt8(ascii: "=") { j += 1 }
        var k = j
        while k < bytes.count, bytes[k] == 0x20 || bytes[k] == 0x09 { k += 1 }
        guard k == bytes.count || bytes[k] == UInt8(ascii: ",") else { return nil }
        // `name=value` is a parameter (a value follows the `=`); `abc==` at the end is a token68.
        return j
    }

    /// Whether a parameter (`token BWS =`) starts at `position`.
    func parameterStarts(at position: Int) -> Bool {
        var j = position
        let start = j
        while j < bytes.count, Self.isTokenByte(bytes[j]) { j += 1 }
        guard j > start else { return false }
        while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x09 { j += 1 }
        return j < bytes.count && bytes[j] == UInt8(ascii: "=")
    }

    mutating func parseAll() -> [AuthChallenge] {
        var challenges: [AuthChallenge] = []
        while true {
            skipSpacesAndCommas()
            guard !atEnd else { break }
            if parameterStarts(at: i) {
                // A parameter with no scheme before it: junk, skip it.
                skipToComma()
                continue
            }
            let scheme = readToken()
            guard !scheme.isEmpty else {
                skipToComma()
                continue
            }
            var challenge = AuthChallenge(scheme: scheme)
            skipSpaces()
            if let end = token68End() {
                challenge.token68 = String(decoding: bytes[i..<end], as: UTF8.self)
                i = end
            } else {
                parseParameters(into: &challenge)
            }
            challenges.append(challenge)
        }
        return challenges
    }

    mutating func parseParameters(into challenge: inout AuthChallenge) {
        while true {
            skipSpaces()
            guard let b = current else { return }
            if b == UInt8(ascii: ",") {
                var j = i
                while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x09 || bytes[j] == UInt8(ascii: ",") { j += 1 }
                guard parameterStarts(at: j) else { return }  // the next challenge begins
                i = j
                continue
            }
            guard parameterStarts(at: i) else {
                skipToComma()
                continue
            }
            let name = readToken().lowercased()
            skipSpaces()
            i += 1  // "="
            skipSpaces()
            let value: String
            if current == UInt8(ascii: "\"") {
                value = readQuoted()
            } else {
                // Lenient: a bare value runs to the next comma or space (some servers leave URLs unquoted).
                let start = i
                while let c = current, c != UInt8(ascii: ","), c != 0x20, c != 0x09 { i += 1 }
                value = String(decoding: bytes[start..<i], as: UTF8.self)
            }
            if challenge.parameters[name] == nil { challenge.parameters[name] = value }
        }
    }
}

import FoundationEssentials

/// The credential values a request carried, so that an error body echoing them (a misconfigured or hostile
/// registry or token server that quotes the request's `Authorization` header) is redacted before any of it
/// can reach an error message, a terminal or a CI log.
struct SentCredentials {
    /// The values to redact, longest first so that a value containing another is replaced whole.
    let values: [String]

    /// Values shorter than this are not redacted: replacing every "a" of a message would make it unreadable,
    /// and a password that short is guessed faster than it is read from a log.
    static let minimumLength = 4

    /// The form fields and JSON members of request bodies that hold a secret: OAuth2's grants (RFC 6749, 7523,
    /// 8693), Azure's registry exchange, STS's web identity token, IAM Identity Center's OIDC `CreateToken`.
    static let secretFields: Set<String> = [
        "password", "refresh_token", "client_secret", "assertion", "client_assertion", "subject_token",
        "actor_token", "access_token", "code", "code_verifier", "device_code", "WebIdentityToken", "clientSecret",
        "refreshToken", "codeVerifier", "deviceCode",
    ]

    /// The credentials in `request`: each credential header's value, its part after the scheme (a token, a
    /// base64 string), for Basic also the decoded `user:password` and the password; for a form body that
    /// carries credentials (a form or a JSON object), the values of its `secretFields`.
    init(_ request: HTTPRequest) {
        var found: [String] = []
        for field in request.headers where HTTPHeaders.credentialFields.contains(field.name.lowercased()) {
            found.append(field.value)
            guard let space = field.value.firstIndex(of: " ") else { continue }
            let parameter = String(field.value[field.value.index(after: space)...])
            found.append(parameter)
            if field.value.lowercased().hasPrefix("basic "), let decoded = Data(base64Encoded: parameter) {
                let pair = String(decoding: decoded, as: UTF8.self)
                found.append(pair)
                if let colon = pair.firstIndex(of: ":") { found.append(String(pair[pair.index(after: colon)...])) }
            }
        }
        if request.bodyCarriesCredentials, case .bytes(let body) = request.body {
            if body.first == UInt8(ascii: "{"), let object = (try? JSONParser.parse(body))?.objectValue {
                for name in Self.secretFields { if let value = object[name]?.stringValue { found.append(value) } }
            } else {
                for (key, value) in FormEncoding.decode(String(decoding: body, as: UTF8.self))
                where Self.secretFields.contains(key) {
                    // A server may echo the body as it came (percent-encoded) or decoded.
                    found += [value, String(FormEncoding.encode([("", value)]).dropFirst())]
                }
            }
        }
        // JSON may escape `/` (base64 has it) as `\/`.
        found += found.filter { $0.contains("/") }.map { $0.replacing("/", with: "\\/") }
        values = Set(found.filter { $0.utf8.count >= Self.minimumLength }).sorted { $0.utf8.count > $1.utf8.count }
    }

    /// `response` with every sent credential in its body replaced by `<redacted>`.
    func redacting(_ response: HTTPResponse) -> HTTPResponse {
        guard !values.isEmpty, !response.body.isEmpty else { return response }
        var body = response.body
        for value in values { body = Self.replace(Array(value.utf8), in: body) }
        var redacted = response
        redacted.body = body
        return redacted
    }

    private static func replace(_ needle: [UInt8], in haystack: [UInt8]) -> [UInt8] {
        guard haystack.count >= needle.count else { return haystack }
        var out: [UInt8] = []
        out.reserveCapacity(haystack.count)
        var i = 0
        while i < haystack.count {
            if i + needle.count <= haystack.count, haystack[i] == needle[0],
                Array(haystack[i..<(i + needle.count)]) == needle
            {
                out += Array("<redacted>".utf8)
                i += needle.count
            } else {
                out.append(haystack[i])
                i += 1
            }
        }
        return out
    }
}

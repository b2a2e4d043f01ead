import AuthCore
import FoundationEssentials

/// JSON Web Tokens as cloud token endpoints use them: RS256 assertions we sign (Google service accounts, Entra ID
/// certificate credentials), and
/// the claims of tokens we are handed, read without verification only to learn an expiry or a tenant (the
/// issuer verifies its own tokens; we never trust a claim for a security decision).
package enum JWT {
    /// A signed compact JWT: `base64url(header).base64url(claims).base64url(RS256 signature)`; the header holds
    /// `alg`, `typ`, `kid` when `keyID` is given, then `extraHeader` (an Entra ID client assertion's `x5t`/`x5c`).
    package static func signRS256(
        claims: JSONObject, keyID: String?, extraHeader: [JSONObject.Member] = [], key: RSASigningKey
    ) throws(RSASigningKey.Failure) -> String {
        var header = JSONObject([
            .init(name: "alg", value: .string("RS256")), .init(name: "typ", value: .string("JWT")),
        ])
        if let keyID { header.members.append(.init(name: "kid", value: .string(keyID))) }
        header.members += extraHeader
        let input =
            base64URL(Array(JSONWriter.compact(.object(header)).utf8)) + "."
            + base64URL(Array(JSONWriter.compact(.object(claims)).utf8))
        let signature = try key.signRS256(Array(input.utf8))
        return input + "." + base64URL(signature)
    }

    /// The claims of a compact JWT, unverified; `nil` when `token` is not one (opaque tokens are normal).
    package static func unverifiedClaims(_ token: String) -> JSONObject? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let bytes = base64URLDecode(parts[1]) else { return nil }
        return (try? JSONParser.parse(bytes))?.objectValue
    }

    /// Base64url without padding (RFC 7515, section 2).
    package static func base64URL(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacing("+", with: "-").replacing("/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// Decodes base64url with or without padding.
    package static func base64URLDecode(_ text: some StringProtocol) -> [UInt8]? {
        var standard = String(text).replacing("-", with: "+").replacing("_", with: "/")
        while standard.count % 4 != 0 { standard.append("=") }
        return Data(base64Encoded: standard).map(Array.init)
    }
}

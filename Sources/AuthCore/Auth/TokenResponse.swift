import FoundationEssentials
import RegistryVocabulary

/// A token server's answer to the GET form or the OAuth2 POST (docs/http-and-auth.md): the token, how long it
/// lives, when it was issued, and a refresh token when one was asked for.
package struct TokenResponse: Sendable, CustomStringConvertible {
    /// The bearer token: `token`, else `access_token` (servers send either or both).
    package var token: String
    /// Lifetime in seconds: `expires_in`, 60 when absent, never below 60.
    package var expiresIn: Int
    /// When the server says it issued the token, if it did.
    package var issuedAt: Date?
    /// A refresh token, sent only when offline access was asked for: the caller keeps it as an identity token.
    package var refreshToken: String?
    /// The scopes granted, when the server says (the OAuth2 form does).
    package var scope: ScopeSet?

    /// The shortest lifetime ever assumed, as the token spec requires.
    package static let minimumLifetime = 60

    /// Creates a response.
    package init(
        token: String, expiresIn: Int = 60, issuedAt: Date? = nil, refreshToken: String? = nil, scope: ScopeSet? = nil
    ) {
        self.token = token
        self.expiresIn = max(expiresIn, Self.minimumLifetime)
        self.issuedAt = issuedAt
        self.refreshToken = refreshToken
        self.scope = scope
    }

    /// Decodes a response body.
    /// - Throws: `RegistryError` (authentication) naming the server when the body is not JSON or has no token.
    package static func parse(_ body: [UInt8], server: String) throws -> TokenResponse {
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            throw RegistryError(
                .authentication, operation: .token, registry: server,
                message:
                    "the token server at \(server) answered with a body that is not JSON (\(error)); check the realm the registry announces"
            )
        }
        guard let object = document.objectValue else {
            throw RegistryError(
                .authentication, operation: .token, registry: server,
                message: "the token server at \(server) answered with \(document.kindDescription), not a JSON object")
        }
        let token = nonEmpty(object["token"]) ?? nonEmpty(object["access_token"])
        guard let token else {
            throw RegistryError(
                .authentication, operation: .token, registry: server,
                message: "the token server at \(server) answered without a token")
        }
        // The token goes into an `Authorization` header to the registry, often another host than the token
        // server: a line break in it would add header lines of the token server's choosing to that request.
        for (name, value) in [("token", token), ("refresh token", nonEmpty(object["refresh_token"]))] {
            guard let value, !isToken(value) else { continue }
            throw RegistryError(
                .authentication, operation: .token, registry: server,
                message:
                    "the token server at \(server) sent a \(name) holding characters a token cannot contain (RFC 6750 allows only visible ASCII); refusing to use it"
            )
        }
        var expiresIn = minimumLifetime
        if case .number(let text)? = object["expires_in"], let seconds = Double(text), seconds.isFinite {
            expiresIn = Int(min(max(seconds, 0), 365 * 86400))
        }
        return TokenResponse(
            token: token, expiresIn: expiresIn, issuedAt: object["issued_at"]?.stringValue.flatMap(RFC3339.parse),
            refreshToken: nonEmpty(object["refresh_token"]),
            scope: object["scope"]?.stringValue.map { ScopeSet(parsing: $0) })
    }

    /// Whether `value` is visible ASCII without spaces: RFC 6750's `b64token` and every token format in use
    /// (JWTs, opaque base64) fit, and nothing that could break out of a header does.
    static func isToken(_ value: String) -> Bool {
        value.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    private static func nonEmpty(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        return text
    }

    /// When the token stops working. `issued_at` is used when it is within ten minutes of the local clock;
    /// beyond that the clocks disagree and the time of receipt is safer (docker uses `issued_at` blindly, which
    /// with a slow server clock makes every token look expired).
    package func expiry(receivedAt now: Date) -> Date {
        var start = now
        if let issuedAt, abs(issuedAt.timeIntervalSince(now)) < 600, issuedAt < now { start = issuedAt }
        return start.addingTimeInterval(Double(expiresIn))
    }

    package var description: String {
        "TokenResponse(expiresIn: \(expiresIn), refreshToken: \(refreshToken == nil ? "no" : "yes"))"
    }
}

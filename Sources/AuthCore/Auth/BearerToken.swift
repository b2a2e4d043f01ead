import FoundationEssentials

/// An access token held by the token cache. `description` never shows the token.
package struct BearerToken: Sendable, CustomStringConvertible {
    /// The token, sent as `Authorization: Bearer <value>`.
    package var value: String
    /// When it stops working.
    package var expiresAt: Date
    /// A refresh token the server issued with it (offline access), for the caller to keep.
    package var refreshToken: String?

    /// Creates a token.
    package init(value: String, expiresAt: Date, refreshToken: String? = nil) {
        self.value = value
        self.expiresAt = expiresAt
        self.refreshToken = refreshToken
    }

    package var description: String { "BearerToken(expires: \(expiresAt))" }
}

import FoundationEssentials

/// An access token held by the token cache. `description` never shows the token.
public struct BearerToken: Sendable, CustomStringConvertible {
    /// The token, sent as `Authorization: Bearer <value>`.
    public var value: String
    /// When it stops working.
    public var expiresAt: Date
    /// A refresh token the server issued with it (offline access), for the caller to keep.
    public var refreshToken: String?

    /// Creates a token.
    public init(value: String, expiresAt: Date, refreshToken: String? = nil) {
        self.value = value
        self.expiresAt = expiresAt
        self.refreshToken = refreshToken
    }

    public var description: String { "BearerToken(expires: \(expiresAt))" }
}

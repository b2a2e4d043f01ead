/// AWS security credentials: an access key, its secret, and for temporary credentials a session token and an
/// expiry. `description` never shows the secret or the session token.
package struct AWSCredentials: Sendable, CustomStringConvertible {
    /// The access key ID (`AKIA…`, `ASIA…`): not a secret, and what the token cache and explanations name.
    package var accessKeyID: String
    /// The secret access key.
    package var secretAccessKey: String
    /// The session token of temporary credentials.
    package var sessionToken: String?
    /// When temporary credentials expire, in seconds since the epoch.
    package var expiresAt: Int64?

    /// Creates credentials.
    package init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiresAt: Int64? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken.flatMap { $0.isEmpty ? nil : $0 }
        self.expiresAt = expiresAt
    }

    package var description: String { "AWSCredentials(\(accessKeyID))" }
}

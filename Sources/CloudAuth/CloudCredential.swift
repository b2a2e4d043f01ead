import AuthCore

/// A credential a cloud minted for one registry.
package struct CloudCredential: Sendable, Equatable {
    /// What the registry expects as user name: `AWS` (ECR), `oauth2accesstoken` (Google),
    /// `00000000-0000-0000-0000-000000000000` (Azure, whose secret is an identity token).
    package var username: String
    /// The password or identity token.
    package var secret: String
    /// When the registry stops accepting it, in seconds since the epoch; `nil` when the cloud did not say.
    package var expiresAt: Int64?
    /// Who obtained it, for the token cache's key and for explanations: an access key ID, a service account's
    /// e-mail, a client ID. Never a secret.
    package var identity: String

    /// Creates a credential.
    package init(username: String, secret: String, expiresAt: Int64?, identity: String) {
        self.username = username
        self.secret = secret
        self.expiresAt = expiresAt
        self.identity = identity
    }
}

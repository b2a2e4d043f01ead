/// Credentials for one registry, with the fields of the Go package's `Credentials` (docs/origins.md).
///
/// Exactly one kind is normally set:
/// - `username` + `password` (the password may be a personal access token);
/// - `identityToken`: an OAuth2 refresh token, exchanged for access tokens with the token server's POST;
/// - `registryToken`: a bearer token sent as it is, with no exchange (docker's `registrytoken`, the `token`
///   of a `registries` entry in registry.json).
///
/// `description` never shows a secret, so a `Credentials` value can be logged or interpolated safely.
public struct Credentials: Sendable, Equatable, CustomStringConvertible {
    /// The account name; empty for token-only credentials.
    public var username: String
    /// The password or personal access token.
    public var password: String
    /// An OAuth2 refresh token (docker's `identitytoken`).
    public var identityToken: String
    /// A bearer token used as it is (docker's `registrytoken`).
    public var registryToken: String
    /// When the credential stops being accepted, in seconds since the epoch, when its source knows: the cloud
    /// helpers' short-lived tokens say. `nil` for credentials that last until someone changes them.
    public var expiresAt: Int64?

    /// Another name for `registryToken`: registry.json's `token`, a bearer token sent as it is. It is the
    /// same value as `registryToken`; both names are kept so code written against either reads naturally.
    public var token: String {
        get { registryToken }
        set { registryToken = newValue }
    }

    /// Creates credentials; leave unused kinds empty.
    public init(
        username: String = "", password: String = "", identityToken: String = "", registryToken: String = "",
        expiresAt: Int64? = nil
    ) {
        self.username = username
        self.password = password
        self.identityToken = identityToken
        self.registryToken = registryToken
        self.expiresAt = expiresAt
    }

    /// Whether nothing usable is set (an empty `auths` entry that `docker login` leaves behind, for example).
    public var isEmpty: Bool {
        identityToken.isEmpty && registryToken.isEmpty && (username.isEmpty || password.isEmpty)
    }

    /// Which kind of credential this is, for messages and explanations. Never the secret itself.
    public var kind: String {
        if !registryToken.isEmpty { return "registry token" }
        if !identityToken.isEmpty { return "identity token" }
        if !username.isEmpty { return "username and password" }
        return "none"
    }

    public var description: String {
        isEmpty ? "Credentials(none)" : "Credentials(\(kind), username: \(username.isEmpty ? "-" : username))"
    }
}

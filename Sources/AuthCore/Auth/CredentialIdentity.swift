/// Who a token was issued to, as part of the token cache's key, without holding the secret: the kind of
/// credential, the user name and a per-process hash of the secret (so a corrected password is a new identity,
/// and a cache dump shows no password).
package struct CredentialIdentity: Sendable, Hashable, CustomStringConvertible {
    let kind: String
    let username: String
    let fingerprint: Int

    /// The identity of some credentials; `nil` means anonymous.
    package init(_ credentials: Credentials?) {
        guard let credentials, !credentials.isEmpty else {
            self.init(kind: "anonymous", username: "", secret: "")
            return
        }
        if !credentials.registryToken.isEmpty {
            self.init(kind: "registry token", username: credentials.username, secret: credentials.registryToken)
        } else if !credentials.identityToken.isEmpty {
            self.init(kind: "identity token", username: credentials.username, secret: credentials.identityToken)
        } else {
            self.init(kind: "password", username: credentials.username, secret: credentials.password)
        }
    }

    private init(kind: String, username: String, secret: String) {
        self.kind = kind
        self.username = username
        // Hasher is seeded randomly per process: the value means nothing outside this process.
        var hasher = Hasher()
        hasher.combine(secret)
        fingerprint = hasher.finalize()
    }

    package var description: String { username.isEmpty ? kind : "\(kind) of \(username)" }
}

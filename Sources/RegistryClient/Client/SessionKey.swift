import AuthCore

/// What sessions are shared by: a registry host and the identity of the credentials sent to it (`nil` for a
/// preset authenticator).
struct SessionKey: Hashable {
    let host: String
    let identity: CredentialIdentity?
}

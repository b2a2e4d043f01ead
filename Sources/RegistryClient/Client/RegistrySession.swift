import AuthCore
import FoundationEssentials

/// One registry (or mirror) as the client talks to it: the origin that answered and the authenticator holding
/// its credentials and tokens.
struct RegistrySession: Sendable {
    /// The host as named (`127.0.0.1:5000`, `registry-1.docker.io`).
    let host: String
    /// The name errors use (`docker.io` rather than its API host).
    let displayName: String
    /// The origin that answered the ping.
    let origin: HTTPOrigin
    /// Sends requests with authentication.
    let authenticator: RegistryAuthenticator
    /// Whether credentials were found for it (to tell "log in" from "refused").
    let authenticated: Bool

    /// The URL of an API path.
    func url(_ path: RegistryPath) -> URL {
        RegistryEndpoint.url(origin, path)
    }
}

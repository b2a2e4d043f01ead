/// The exact strings of the docker credential-helper protocol. Clients compare these for equality after
/// trimming (docker CLI, containers/image), so they must not change by a byte.
package enum HelperMessages {
    /// `get` found nothing. skopeo and podman treat only this text (with a non-zero exit) as "not found";
    /// anything else fails the pull.
    package static let credentialsNotFound = "credentials not found in native keychain"
    /// The input named no server.
    package static let missingServerURL = "no credentials server URL"
    /// `store` received no user name.
    package static let missingUsername = "no credentials username"
}

import Foundation

/// The registries under the clouds' own names (scripts/testbed/cloud-names.sh): port 443 of a loopback address
/// that the names resolve to only inside a private mount namespace whose `/etc/hosts` maps them there. Programs run
/// through `command(_:_:)` resolve the names as they would in a cloud, through the system's resolver (glibc,
/// libcurl, Go's), with no override anywhere; the front's CA is trusted through the certs.d directory.
package struct CloudNames: Sendable {
    /// The Azure registry: the token registry behind it, `/oauth2/exchange` and `/oauth2/token` as ACR serves them.
    package static let azure = "ossbtest.azurecr.io"
    /// The Google registry: the token registry, its token server at `/v2/token`.
    package static let google = "europe-west1-docker.pkg.dev"
    /// The ECR registry: Basic auth for user `AWS` with the token moto mints for the account 123456789012.
    package static let ecr = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    /// A look-alike of `azure`, served like it.
    package static let azureLookalike = "ossbtest.azurecr.io.evil.example"
    /// A look-alike of `ecr`, served like it.
    package static let ecrLookalike = "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example"

    /// The bed's directory: `hosts`, `certs.d/<name>/ca.crt`, `ca.crt`.
    package let directory: String
    /// The front's statistics endpoint.
    package let statsURL: String

    /// The bed, when scripts/test.sh started it (as root).
    package static var bed: CloudNames? {
        guard let directory = TestServers.environment["OSSB_TEST_CLOUD_NAMES"],
            let stats = TestServers.environment["OSSB_TEST_CLOUD_NAMES_STATS"], TestProcess.which("unshare") != nil
        else { return nil }
        return CloudNames(directory: directory, statsURL: stats)
    }

    /// A certs.d directory trusting the front for every name (`OSSB_CERTS_D`).
    package var certsDirectory: String { "\(directory)/certs.d" }

    /// The front's CA as skopeo's `--cert-dir` wants it: a directory of `*.crt` files, for one name.
    package func certDirectory(for name: String) -> String { "\(certsDirectory)/\(name)" }

    /// `executable` with `arguments` as a command line that runs it in a new mount namespace whose `/etc/hosts`
    /// maps the cloud names to the front: `unshare -m` (private propagation), then a bind mount over `/etc/hosts`.
    package func command(_ executable: String, _ arguments: [String]) throws -> (String, [String]) {
        guard let unshare = TestProcess.which("unshare") else { throw CocoaError(.executableNotLoadable) }
        let script = #"mount --bind "$0" /etc/hosts && exec "$@""#
        return (
            unshare,
            ["--mount", "--propagation", "private", "/bin/sh", "-c", script, "\(directory)/hosts", executable]
                + arguments
        )
    }

    /// What the front counted for one name: `requests`, `credentialed` (requests carrying a credential: Basic,
    /// a password or refresh token to the token endpoint, an exchange) and `exchanges`.
    package func stats(_ name: String) throws -> [String: Int] {
        guard let curl = TestProcess.which("curl") else { throw CocoaError(.executableNotLoadable) }
        let data = Data(try TestProcess.run(curl, ["-sf", statsURL], environment: [:]).stdout.utf8)
        let all = try JSONSerialization.jsonObject(with: data) as? [String: [String: Int]]
        return all?[name] ?? [:]
    }
}

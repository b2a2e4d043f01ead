import AuthCore
import FoundationEssentials

/// The metadata server of a Google Cloud VM, GKE node (or GKE workload identity) and Cloud Run: the attached
/// service account's access token and e-mail, over plain http to a link-local address, only with the
/// `Metadata-Flavor: Google` header (which a browser-driven request cannot forge).
struct GoogleMetadataServer {
    /// `GCE_METADATA_HOST` (`host` or `host:port`), else `metadata.google.internal`.
    let host: String

    init(environment: Environment) {
        host = environment["GCE_METADATA_HOST"] ?? "metadata.google.internal"
    }

    /// The metadata server could not be reached at all: not on Google Cloud.
    struct Unreachable: Error {
        let reason: String
    }

    func credential(_ http: CloudHTTP) async throws -> CloudCredential {
        let token = try await get("token", http)
        let answer = try http.object(
            token, from: "the metadata server at \(host)",
            advice: "check that the instance has a service account attached with the cloud-platform scope")
        let access = try http.accessToken(answer, from: "the metadata server at \(host)")
        let email = try await get("email", http)
        let identity = email.isSuccess ? email.text.trimmingWhitespace() : "the instance's default service account"
        http.context.explain("Google Cloud: the metadata server at \(host) gave a token for \(identity)")
        return CloudCredential(
            username: GoogleProvider.username, secret: access.token, expiresAt: access.expiresAt, identity: identity)
    }

    /// GETs `/computeMetadata/v1/instance/service-accounts/default/NAME`; a transport failure is `Unreachable`.
    private func get(_ name: String, _ http: CloudHTTP) async throws -> HTTPResponse {
        guard let url = URL(string: "http://\(host)/computeMetadata/v1/instance/service-accounts/default/\(name)")
        else {
            throw CloudAuthError(
                cloud: http.cloud,
                "Google Cloud: GCE_METADATA_HOST \"\(TerminalText.sanitized(host.prefix(100)))\" is not a host name; set it to HOST or HOST:PORT, or unset it"
            )
        }
        var headers = HTTPHeaders()
        headers["Metadata-Flavor"] = "Google"
        // Off Google Cloud the name does not resolve or nobody answers: give up quickly.
        var request = HTTPRequest(url: url, headers: headers, timeout: 3)
        request.maximumBufferedBody = 1 << 20
        do {
            return try await http.context.http.send(request)
        } catch {
            throw Unreachable(reason: "\(error)")
        }
    }
}

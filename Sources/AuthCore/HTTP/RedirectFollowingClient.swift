import FoundationEssentials

/// Follows redirects with this package's own code, never the transport's, so that the credential boundary is
/// explicit: once a redirect leaves the origin of the original request, `Authorization` (and any other
/// credential field) is dropped and never restored, even if a later hop comes back.
///
/// Every error response passes through here, so this is also where an error body's echo of the request's own
/// credentials is redacted (`SentCredentials`).
///
/// Real registries redirect blob downloads to object storage (S3, GCS, a CDN), which rejects or logs a
/// forwarded `Authorization`; swift-container-plugin#166 is the bug this prevents.
package struct RedirectFollowingClient: HTTPClient {
    /// The client that sends each hop.
    package let base: any HTTPClient
    /// Redirects followed before giving up.
    package var maximumRedirects: Int

    /// Wraps a client.
    package init(_ base: any HTTPClient, maximumRedirects: Int = 10) {
        self.base = base
        self.maximumRedirects = maximumRedirects
    }

    package func send(_ request: HTTPRequest, sink: (any HTTPBodySink)?) async throws -> HTTPResponse {
        var current = request
        let credentialOrigin = request.origin
        var redirects = 0
        while true {
            let response = try await base.send(current, sink: sink)
            guard response.isRedirect, let location = response.headers["Location"] else {
                // An error body may quote the request; what this client sent never comes back out of it.
                return response.isSuccess ? response : SentCredentials(current).redacting(response)
            }
            guard redirects < maximumRedirects else {
                throw HTTPClientError(
                    .redirect,
                    "\(request.origin?.description ?? "the server") redirected more than \(maximumRedirects) times; giving up"
                )
            }
            guard let target = URL(string: location, relativeTo: current.url)?.absoluteURL,
                let targetOrigin = HTTPOrigin(target)
            else {
                throw HTTPClientError(
                    .redirect,
                    "\(current.origin?.description ?? "the server") redirected to an unusable location; the server is misconfigured"
                )
            }
            redirects += 1
            current = Self.redirected(current, to: target, status: response.status)
            if targetOrigin != credentialOrigin {
                current.headers.removeCredentials()
                if current.bodyCarriesCredentials && !current.body.isEmpty {
                    throw HTTPClientError(
                        .redirect,
                        "\(credentialOrigin?.description ?? "the server") redirected a request carrying credentials to \(targetOrigin); refusing to send them there"
                    )
                }
            }
        }
    }

    /// The request to send after a redirect: 303 (and 301/302 after a POST, as every browser and curl's
    /// `--post30x`-less default do) becomes a GET without a body; 307 and 308 repeat the method and body.
    static func redirected(_ request: HTTPRequest, to url: URL, status: Int) -> HTTPRequest {
        var next = request
        next.url = url
        if status == 303 || ((status == 301 || status == 302) && request.method == .post) {
            if request.method != .head { next.method = .get }
            next.body = .none
            next.headers.remove("Content-Type")
            next.headers.remove("Content-Length")
        }
        return next
    }
}

import FoundationEssentials

/// One HTTP request as AuthCore and the registry client describe it; an `HTTPClient` sends it.
public struct HTTPRequest: Sendable, CustomStringConvertible {
    /// The method.
    public var method: HTTPMethod
    /// The absolute http(s) URL.
    public var url: URL
    /// Header fields. `Authorization` set here is dropped by `RedirectFollowingClient` when a redirect leaves
    /// this URL's origin.
    public var headers: HTTPHeaders
    /// The body, streamed by the transport.
    public var body: HTTPRequestBody
    /// The largest response body kept in memory (`HTTPResponse.body`) when it is not streamed to a sink.
    public var maximumBufferedBody: Int
    /// Whether the body itself carries a secret (an OAuth2 form with a password or refresh token):
    /// `RedirectFollowingClient` then never sends it to another origin.
    public var bodyCarriesCredentials = false
    /// Seconds the whole exchange may take; `nil` for no limit (a large blob may take long). Connecting is
    /// bounded separately by the transport.
    public var timeout: Double?

    /// Creates a request.
    public init(
        method: HTTPMethod = .get, url: URL, headers: HTTPHeaders = HTTPHeaders(), body: HTTPRequestBody = .none,
        maximumBufferedBody: Int = 16 << 20, timeout: Double? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.maximumBufferedBody = maximumBufferedBody
        self.timeout = timeout
    }

    /// The origin of `url` (`nil` only for a URL an HTTP client cannot send anyway).
    public var origin: HTTPOrigin? { HTTPOrigin(url) }

    /// Method and URL without its query (which may hold a user name) and headers with credentials redacted.
    public var description: String {
        let base = url.absoluteString.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        return "\(method) \(base)"
    }
}

import FoundationEssentials

/// The answer to an `HTTPRequest`.
public struct HTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The header fields of the final response (not of intermediate `100 Continue` answers).
    public var headers: HTTPHeaders
    /// The body when it was not streamed to a sink: every non-2xx body, and 2xx bodies sent without a sink.
    /// Truncated to the request's `maximumBufferedBody`.
    public var body: [UInt8]
    /// The URL that answered (after any redirects followed by `RedirectFollowingClient`).
    public var url: URL
    /// Bytes handed to the sink.
    public var streamedBytes: Int64
    /// Whether the transport reused an open connection for this request (`nil` when it cannot tell).
    public var reusedConnection: Bool?

    /// Creates a response.
    public init(
        status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], url: URL, streamedBytes: Int64 = 0,
        reusedConnection: Bool? = nil
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
        self.streamedBytes = streamedBytes
        self.reusedConnection = reusedConnection
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// Whether the status is a redirect this package follows.
    public var isRedirect: Bool { [301, 302, 303, 307, 308].contains(status) }

    /// The body as UTF-8 text (invalid sequences replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Sends HTTP requests. AuthCore's token exchange and the registry client are written against this protocol,
/// so their logic is unit-tested with an in-memory client; HTTPTransport's `CurlHTTPClient` is the real one.
///
/// Implementations do not follow redirects (`RedirectFollowingClient` does, dropping credentials at the origin
/// boundary), do not decompress (digests are computed over the bytes the registry stored), and hand 2xx bodies
/// to the sink when one is given.
public protocol HTTPClient: Sendable {
    /// Sends one request and waits for its response.
    /// - Parameters:
    ///   - request: the request; its body is streamed.
    ///   - sink: where a 2xx body goes; `nil` keeps it in `HTTPResponse.body`.
    /// - Returns: the response, whatever its status.
    /// - Throws: `HTTPClientError` when no response arrives (connection, TLS, timeout, cancellation), or the
    ///   sink's or body source's error.
    func send(_ request: HTTPRequest, sink: (any HTTPBodySink)?) async throws -> HTTPResponse
}

extension HTTPClient {
    /// Sends a request keeping the response body in memory.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await send(request, sink: nil)
    }
}

import Foundation
import Synchronization

@testable import AuthCore

/// An in-memory HTTP client for pure-logic tests: answers with a handler and records every request.
final class FakeHTTPClient: HTTPClient, Sendable {
    typealias Handler = @Sendable (HTTPRequest) throws -> HTTPResponse
    private let handler: Handler
    private let log = Mutex<[HTTPRequest]>([])

    init(_ handler: @escaping Handler) { self.handler = handler }

    var requests: [HTTPRequest] { log.withLock { $0 } }

    func send(_ request: HTTPRequest, sink: (any HTTPBodySink)?) async throws -> HTTPResponse {
        log.withLock { $0.append(request) }
        var response = try handler(request)
        if let sink, response.isSuccess {
            try response.body.withUnsafeBytes { try sink.write($0) }
            response.streamedBytes = Int64(response.body.count)
            response.body = []
        }
        return response
    }

    static func response(_ status: Int, _ body: String = "", headers: [(String, String)] = [], for request: HTTPRequest)
        -> HTTPResponse
    {
        HTTPResponse(status: status, headers: HTTPHeaders(headers), body: Array(body.utf8), url: request.url)
    }
}

extension HTTPRequest {
    /// The query parameters in order.
    var queryItems: [(String, String)] {
        guard let query = url.query(percentEncoded: true) else { return [] }
        return FormEncoding.decode(query)
    }

    /// The body as text (for `.bytes` bodies).
    var bodyText: String {
        if case .bytes(let bytes) = body { return String(decoding: bytes, as: UTF8.self) }
        return ""
    }
}

/// A value shared between tasks in tests, behind a lock.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
    var value: Value { mutex.withLock { $0 } }
}

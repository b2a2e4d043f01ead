/// Where a successful (2xx) response body goes as it arrives: a file, a digest, a consumer. Bodies of other
/// statuses are never written to the sink (a 404 page must not land in a blob file); they are kept in
/// `HTTPResponse.body` instead.
///
/// A transport calls `write` from one thread at a time, in order, so implementations need no locking.
public protocol HTTPBodySink: AnyObject, Sendable {
    /// Consumes the next chunk of the body.
    /// - Throws: to abort the transfer (a full disk, a size limit); the error is rethrown by `send`.
    func write(_ chunk: UnsafeRawBufferPointer) throws
}

/// A sink that hands every chunk to a closure (a consumer that parses or forwards as bytes arrive).
public final class ClosureBodySink: HTTPBodySink, @unchecked Sendable {
    private let consume: ([UInt8]) throws -> Void

    /// Creates a sink calling `consume` with each chunk, on the transport's thread.
    public init(_ consume: @escaping ([UInt8]) throws -> Void) {
        self.consume = consume
    }

    public func write(_ chunk: UnsafeRawBufferPointer) throws {
        try consume(Array(chunk))
    }
}

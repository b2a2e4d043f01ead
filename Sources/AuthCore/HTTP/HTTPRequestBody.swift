/// What a request sends: nothing, bytes in memory, or a source streamed by the transport without holding it
/// in memory (a blob file, a sequence of chunks).
public enum HTTPRequestBody: Sendable {
    /// No body.
    case none
    /// A small body held in memory (a form, a manifest).
    case bytes([UInt8])
    /// A streamed body; a fresh reader is made for every attempt, so the request can be resent after a 401
    /// or a 307 redirect.
    case source(any HTTPBodySource)

    /// The length when known in advance (sent as `Content-Length`; otherwise the transport uses chunked
    /// encoding).
    public var length: Int64? {
        switch self {
        case .none: return 0
        case .bytes(let bytes): return Int64(bytes.count)
        case .source(let source): return source.length
        }
    }

    /// Whether there is no body to send.
    public var isEmpty: Bool {
        if case .none = self { return true }
        return false
    }
}

/// A replayable stream of request bytes.
public protocol HTTPBodySource: Sendable {
    /// The total length when known.
    var length: Int64? { get }
    /// A reader positioned at the start of the body.
    /// - Throws: when the underlying file or sequence cannot be opened.
    func makeReader() throws -> any HTTPBodyReader
}

/// Reads one pass over a request body; used by one transfer on one thread.
public protocol HTTPBodyReader: AnyObject {
    /// Fills `buffer` from the front with up to `buffer.count` bytes.
    /// - Returns: the number of bytes written; 0 at the end of the body.
    /// - Throws: when reading fails; the transfer is aborted.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

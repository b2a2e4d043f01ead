/// A request body streamed from a sequence of chunks (generated data, a tar stream being produced), consumed
/// chunk by chunk; only the current chunk is held in memory.
public struct SequenceBodySource<Chunks: Sequence & Sendable>: HTTPBodySource where Chunks.Element == [UInt8] {
    /// The chunks; iterated afresh for every attempt.
    public let chunks: Chunks
    /// The total length when known (else the transport sends chunked encoding).
    public let length: Int64?

    /// Creates a body from chunks.
    public init(_ chunks: Chunks, length: Int64? = nil) {
        self.chunks = chunks
        self.length = length
    }

    public func makeReader() throws -> any HTTPBodyReader {
        SequenceBodyReader(iterator: chunks.makeIterator())
    }
}

/// One pass over a chunk sequence.
final class SequenceBodyReader<Iterator: IteratorProtocol>: HTTPBodyReader where Iterator.Element == [UInt8] {
    private var iterator: Iterator
    private var current: [UInt8] = []
    private var position = 0

    init(iterator: Iterator) {
        self.iterator = iterator
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while position >= current.count {
            guard let next = iterator.next() else { return 0 }
            current = next
            position = 0
        }
        let n = min(buffer.count, current.count - position)
        current.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: n)
        }
        position += n
        return n
    }
}

import AuthCore
import Synchronization

/// Carries one blob from a download (`sink`) straight into an upload (`body`) through a small fixed buffer,
/// checking its SHA-256 and size on the way, so that a copy between registries needs neither the disk nor
/// memory in proportion to the blob.
///
/// Neither side ever blocks the loop thread that drives it: when the buffer is full the download pauses
/// (`CURL_WRITEFUNC_PAUSE`) until the upload has taken bytes out, and when it is empty the upload pauses
/// (`CURL_READFUNC_PAUSE`) until the download has put bytes in; each side resumes the other through the
/// transfer loop (`TransferResumer`). Both transfers may therefore run on the same client, one loop thread.
///
/// The blob's last byte is handed to the upload only after the download has ended with exactly `size` bytes
/// hashing to `digest`: with the upload's length fixed to `size`, a blob with other content, cut short or
/// running long never completes its upload (the upload fails with the pipe's error), and the registry's own
/// digest check on the closing request is a second line behind this one.
package final class BlobPipe: Sendable {
    /// The digest the content must hash to, `sha256:<hex>`.
    package let digest: String
    /// The exact size the content must have.
    package let size: Int64
    /// Guards `state`, which both loop threads and the awaiting tasks touch.
    private let lock = Mutex(())
    private let state: PipeState
    private let onData: @Sendable (UnsafeRawBufferPointer) throws -> Void

    /// Creates a pipe for one blob.
    /// - Parameters:
    ///   - digest: the blob's digest (`sha256:` only).
    ///   - size: its size from the descriptor.
    ///   - capacity: bytes buffered between the two sides (a chunk larger than this is still taken whole when
    ///     the buffer is empty).
    ///   - onData: called on the download's thread with each chunk taken, after it was hashed (progress, a
    ///     copy on the side); throwing fails the pipe.
    package init(
        digest: String, size: Int64, capacity: Int = 1 << 20,
        onData: @escaping @Sendable (UnsafeRawBufferPointer) throws -> Void = { _ in }
    ) {
        self.digest = digest
        self.size = size
        self.onData = onData
        state = PipeState(capacity: max(1, capacity))
    }

    deinit { state.storage.deallocate() }

    /// The download side: give it as the sink of the blob's GET.
    package var sink: any HTTPBodySink { PipeSink(pipe: self) }

    /// The upload side: one pass, `size` bytes long. A second reader is refused once the first sent bytes.
    package var body: any HTTPBodySource { PipeBody(pipe: self) }

    /// Bytes the download delivered so far.
    package var received: Int64 { locked { $0.received } }

    /// Bytes the upload took so far.
    package var sent: Int64 { locked { $0.sent } }

    /// Why the pipe failed, if it did.
    package var failure: (any Error)? { locked { $0.failure } }

    /// Whether the download ended with exactly `size` bytes hashing to `digest`.
    package var verified: Bool { locked { $0.verified } }

    /// Says the download is over (its request returned successfully). Only now is its last byte released to
    /// the upload, when every byte arrived and hashed to `digest`: a body that goes on past `size` fails the
    /// download before this, and a short one fails the pipe here.
    package func sourceEnded() {
        let resumers = locked { state -> [TransferResumer] in
            guard !state.verified, state.failure == nil else { return [] }
            if state.received == size && size == 0 { state.checkDigest(digest) }
            if state.received == size && state.failure == nil {
                state.verified = true
            } else if state.failure == nil {
                state.failure = BlobPipeError.short(received: state.received, expected: size)
            }
            return state.takeResumers()
        }
        for resumer in resumers { resumer.resume() }
    }

    /// Fails the pipe: both sides abort at their next callback (a paused side is resumed to see it).
    package func fail(_ error: any Error) {
        let resumers = locked { state -> [TransferResumer] in
            if state.failure == nil { state.failure = error }
            return state.takeResumers()
        }
        for resumer in resumers { resumer.resume() }
    }

    // MARK: - The two sides, on their loop threads

    fileprivate func write(_ chunk: UnsafeRawBufferPointer) throws {
        var wake: TransferResumer?
        defer { wake?.resume() }
        try locked { state in
            if let failure = state.failure { throw failure }
            if state.received + Int64(chunk.count) > size {
                state.failure = BlobPipeError.tooLong(limit: size)
                wake = state.reader
                throw state.failure!
            }
            if state.count > 0 && state.capacity - state.count < chunk.count {
                guard state.writer != nil else { throw state.failWithoutResumer() }
                state.writerWaitsFor = chunk.count
                throw TransferPaused()
            }
            state.hash.update(chunk)
            state.received += Int64(chunk.count)
            if state.received == size {
                state.checkDigest(digest)
                if let failure = state.failure {
                    wake = state.reader
                    throw failure
                }
            }
            state.append(chunk)
            if state.readerWaits {
                state.readerWaits = false
                wake = state.reader
            }
        }
        do { try onData(chunk) } catch {
            fail(error)
            throw error
        }
    }

    fileprivate func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var wake: TransferResumer?
        defer { wake?.resume() }
        return try locked { state in
            if let failure = state.failure { throw failure }
            // The blob's last byte waits for `sourceEnded`: until the download has ended, the source may still
            // send more than `size`, and an upload must not complete with a blob its source got wrong.
            let available = state.verified ? state.count : Int(min(Int64(state.count), size - 1 - state.sent))
            if available <= 0 {
                if state.verified { return 0 }
                guard state.reader != nil else { throw state.failWithoutResumer() }
                state.readerWaits = true
                throw TransferPaused()
            }
            let taken = state.take(
                into: UnsafeMutableRawBufferPointer(rebasing: buffer.prefix(min(buffer.count, available))))
            state.sent += Int64(taken)
            if let waiting = state.writerWaitsFor, state.count == 0 || state.capacity - state.count >= waiting {
                state.writerWaitsFor = nil
                wake = state.writer
            }
            return taken
        }
    }

    fileprivate func attachWriter(_ resumer: TransferResumer) { locked { $0.writer = resumer } }

    fileprivate func attachReader(_ resumer: TransferResumer) { locked { $0.reader = resumer } }

    private func locked<T>(_ body: (PipeState) throws -> T) rethrows -> T {
        try lock.withLock { _ in try body(state) }
    }

    fileprivate func startReading() throws {
        try locked { state in
            if state.sent > 0 { throw BlobPipeError.cannotResend }
        }
    }
}

/// Why a pipe failed on its own (the other failures are the transfers' errors, passed through `fail`).
package enum BlobPipeError: Error, CustomStringConvertible, Equatable {
    /// The content hashed to something else.
    case digestMismatch(expected: String, actual: String)
    /// More bytes came than the descriptor's size.
    case tooLong(limit: Int64)
    /// The download ended before the descriptor's size.
    case short(received: Int64, expected: Int64)
    /// The upload was to start again after it had sent bytes; a pipe is one pass.
    case cannotResend
    /// A side had to wait but its transport cannot pause a transfer (not `CurlHTTPClient`).
    case cannotPause

    /// Whether the source's content itself is wrong (rather than a transfer that broke).
    package var isContentFailure: Bool {
        switch self {
        case .digestMismatch, .tooLong, .short: return true
        case .cannotResend, .cannotPause: return false
        }
    }

    package var description: String {
        switch self {
        case .digestMismatch(_, let actual):
            return "its content hashes to \(actual)"
        case .tooLong(let limit):
            return "it is longer than the \(limit) bytes its descriptor declares"
        case .short(let received, let expected):
            return "it ended after \(received) of the \(expected) bytes its descriptor declares"
        case .cannotResend:
            return "a streamed blob cannot be sent a second time"
        case .cannotPause:
            return "this HTTP transport cannot pause a transfer, so it cannot stream a blob"
        }
    }
}

/// The mutable part of a pipe, behind its lock: a ring buffer, the digest and what each side waits for.
private final class PipeState: @unchecked Sendable {
    var storage: UnsafeMutableRawBufferPointer
    var capacity: Int { storage.count }
    /// Where the oldest buffered byte is, and how many are buffered.
    var head = 0
    var count = 0
    var hash = SHA256Digest()
    var received: Int64 = 0
    var sent: Int64 = 0
    var verified = false
    var failure: (any Error)?
    var writer: TransferResumer?
    var reader: TransferResumer?
    /// The size of the chunk the paused download will hand again, when it is paused.
    var writerWaitsFor: Int?
    var readerWaits = false

    init(capacity: Int) {
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    /// Both sides' resumers, to wake them after a failure.
    func takeResumers() -> [TransferResumer] {
        writerWaitsFor = nil
        readerWaits = false
        return [writer, reader].compactMap { $0 }
    }

    /// Finishes the digest once all bytes are in, failing the pipe when it is not `expected`.
    func checkDigest(_ expected: String) {
        let actual = hash.finish()
        if actual != expected { failure = BlobPipeError.digestMismatch(expected: expected, actual: actual) }
    }

    func failWithoutResumer() -> any Error {
        failure = BlobPipeError.cannotPause
        return BlobPipeError.cannotPause
    }

    /// Appends a chunk; the caller checked that it fits, or that the buffer is empty (then a larger chunk
    /// grows the buffer to its size: libcurl's chunks are bounded by its own buffer).
    func append(_ chunk: UnsafeRawBufferPointer) {
        if chunk.count > capacity {
            storage.deallocate()
            storage = .allocate(byteCount: chunk.count, alignment: 16)
            head = 0
        }
        var tail = (head + count) % capacity
        var offset = 0
        while offset < chunk.count {
            let n = min(chunk.count - offset, capacity - tail)
            UnsafeMutableRawBufferPointer(rebasing: storage[tail..<tail + n])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: chunk[offset..<offset + n]))
            offset += n
            tail = (tail + n) % capacity
        }
        count += chunk.count
    }

    /// Moves up to `buffer.count` of the oldest bytes into `buffer`.
    func take(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let total = min(buffer.count, count)
        var offset = 0
        while offset < total {
            let n = min(total - offset, capacity - head)
            UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + n])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[head..<head + n]))
            offset += n
            head = (head + n) % capacity
        }
        count -= total
        if count == 0 { head = 0 }
        return total
    }
}

/// The pipe's download side.
private final class PipeSink: HTTPBodySink, PausableBody, Sendable {
    let pipe: BlobPipe
    init(pipe: BlobPipe) { self.pipe = pipe }
    func write(_ chunk: UnsafeRawBufferPointer) throws { try pipe.write(chunk) }
    func attach(_ resumer: TransferResumer) { pipe.attachWriter(resumer) }
}

/// The pipe's upload side, as a request body.
private struct PipeBody: HTTPBodySource {
    let pipe: BlobPipe
    var length: Int64? { pipe.size }
    func makeReader() throws -> any HTTPBodyReader {
        try pipe.startReading()
        return PipeReader(pipe: pipe)
    }
}

/// One pass over the pipe's content.
private final class PipeReader: HTTPBodyReader, PausableBody {
    let pipe: BlobPipe
    init(pipe: BlobPipe) { self.pipe = pipe }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { try pipe.read(into: buffer) }
    func attach(_ resumer: TransferResumer) { pipe.attachReader(resumer) }
}

import AuthCore
import Glibc
import HTTPTransport

/// Receives a blob into a temporary file while hashing it, and can continue after an interrupted transfer:
/// the file and the hash state are kept, so a retry with `Range: bytes=<received>-` appends where it stopped.
final class BlobDownloadSink: HTTPBodySink, @unchecked Sendable {
    let path: String
    /// The file created at `path`: what was verified is this file's content, whatever name leads to it later.
    let file: FileIdentity
    private var fd: Int32
    /// Hashed in line from libcurl's own buffer, before the bytes are written: no copy, no thread. For small
    /// blobs a hashing thread each and its buffer cost more memory (30 layers of 8 MiB, a thread and a dispatch
    /// queue per blob: 42 MiB) than the hashing it overlapped saved time (SHA-256 runs at about 1.7 GB/s here).
    private var digest = SHA256Digest()
    /// Hashes instead of `digest` a blob of `TrailingHasher.threshold` bytes or more, on its own thread from
    /// what was written, so that the loop thread only receives and writes (1 GiB: 0.6 s of CPU off it).
    private var hasher: TrailingHasher?
    /// Bytes received so far (hashed in line, or handed to the hasher).
    private(set) var received: Int64 = 0
    /// Called with each chunk's size (progress).
    let onProgress: @Sendable (Int64) -> Void
    /// The size the blob must not exceed (the descriptor's), so a hostile server cannot fill the disk.
    let limit: Int64?

    /// Creates the file at `path` with `mode` (the cache's files are private; a layout's are not).
    init(path: String, limit: Int64?, mode: mode_t = 0o600, onProgress: @escaping @Sendable (Int64) -> Void) throws {
        self.path = path
        self.limit = limit
        self.onProgress = onProgress
        // Readable too: a `TrailingHasher` reads the blob back through the same descriptor.
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SystemError("create", path: path) }
        guard let file = FileIdentity(descriptor: fd) else {
            let error = SystemError("inspect", path: path)
            close(fd)
            unlink(path)
            throw error
        }
        self.file = file
        startHasher()
    }

    /// Hashes on a thread of its own when the descriptor's size is large enough (and a thread can be started).
    private func startHasher() {
        guard let limit, limit >= TrailingHasher.threshold else { return }
        hasher = TrailingHasher.start(fd: fd, path: path)
    }

    func write(_ chunk: UnsafeRawBufferPointer) throws {
        try append(chunk)
        onProgress(Int64(chunk.count))
    }

    private func append(_ chunk: UnsafeRawBufferPointer) throws {
        if let limit, received + Int64(chunk.count) > limit {
            throw BlobSizeExceeded(limit: limit)
        }
        if hasher == nil { digest.update(chunk) }
        try FileIO.writeAll(fd: fd, chunk, path: path)
        received += Int64(chunk.count)
        if let hasher {
            hasher.advance(to: received)
        } else if received - flushedTo >= Self.writebackStep {
            startWriteback()
        }
    }

    /// Bytes between two writeback requests.
    static let writebackStep: Int64 = 8 << 20
    /// How far writeback has been requested.
    private var flushedTo: Int64 = 0

    /// Asks the kernel to start writing what has arrived so far (`POSIX_FADV_DONTNEED` starts asynchronous
    /// writeback of dirty pages on Linux), so the disk works while the network does and the durability pass
    /// that precedes the blob's entry into the cache (`DurabilityPass`) has little left to wait for. Measured
    /// here: a 200 MiB pull spent 0.3 s in a final `fsync` without it. A `TrailingHasher` does this itself,
    /// behind its reading.
    private func startWriteback() {
        _ = posix_fadvise(fd, off_t(flushedTo), off_t(received - flushedTo), POSIX_FADV_DONTNEED)
        flushedTo = received
    }

    /// Appends the whole content of another file (a resumed transfer's continuation), without reporting it as
    /// progress again.
    func absorb(_ file: String) throws {
        let input = open(file, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw SystemError("open", path: file) }
        defer { close(input) }
        try FileIO.forEachChunk(fd: input, path: file) { try append($0) }
    }

    /// Starts over: the server ignored the range and is sending the whole blob again.
    func restart() throws {
        onProgress(-received)
        hasher?.stop()
        hasher = nil
        guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else { throw SystemError("truncate", path: path) }
        digest = SHA256Digest()
        received = 0
        flushedTo = 0
        startHasher()
    }

    /// Closes the file (not synced: that is the `DurabilityPass` before the blob is renamed into the cache, one
    /// for all the blobs of a pull); returns the digest of everything received.
    func finish() throws -> String {
        let actual: String
        do { actual = try hasher?.finish() ?? digest.finish() } catch {
            close(fd)
            fd = -1
            throw error
        }
        hasher = nil
        guard close(fd) == 0 else {
            fd = -1
            throw SystemError("write", path: path)
        }
        fd = -1
        return actual
    }

    /// Closes and removes the file.
    func discard() {
        hasher?.stop()
        hasher = nil
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(path)
        InterruptCleanup.unregister(path)
    }

    deinit {
        hasher?.stop()
        if fd >= 0 { close(fd) }
    }
}

/// A blob download that survives interruptions: the first transfer goes to `main`; after a transfer is cut off,
/// the retry asks for `Range: bytes=<received>-` and lands in a separate continuation file, because whether the
/// server honoured the range (206) or sent the whole blob again (200) is only known when the response is
/// complete. Then the continuation is appended (206) or replaces everything (200).
final class ResumableBlobSink: HTTPBodySink, @unchecked Sendable {
    let main: BlobDownloadSink
    private let makeContinuation: () throws -> BlobDownloadSink
    private var continuation: BlobDownloadSink?
    /// Where the continuation starts, when one is in progress.
    private(set) var rangeStart: Int64?

    init(main: BlobDownloadSink, makeContinuation: @escaping () throws -> BlobDownloadSink) {
        self.main = main
        self.makeContinuation = makeContinuation
    }

    func write(_ chunk: UnsafeRawBufferPointer) throws {
        try (continuation ?? main).write(chunk)
    }

    /// Called between a failed attempt and the next: keeps what `main` has and starts a fresh continuation.
    func prepareRetry() throws {
        if let continuation {
            try continuation.restart()
        } else if main.received > 0 {
            continuation = try makeContinuation()
            rangeStart = main.received
        }
    }

    /// Called when a transfer completed with `status`: folds the continuation into `main`.
    func complete(status: Int) throws {
        guard let continuation else { return }
        _ = try continuation.finish()
        if status != 206 { try main.restart() }
        try main.absorb(continuation.path)
        continuation.discard()
        self.continuation = nil
        rangeStart = nil
    }

    func discard() {
        continuation?.discard()
        main.discard()
    }
}

/// The registry sent more bytes than the descriptor's size.
struct BlobSizeExceeded: Error, CustomStringConvertible {
    let limit: Int64
    var description: String { "the registry sent more than the \(limit) bytes the manifest declares" }
}

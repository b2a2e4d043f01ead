import AuthCore
import Glibc

/// A response sink that writes the body to a file while hashing it, so a blob is stored and verified in one
/// pass without being held in memory. Call `discard()` when the transfer fails: a partial blob must not stay.
public final class FileSink: HTTPBodySink, @unchecked Sendable {
    /// The file being written.
    public let path: String
    private let fd: Int32
    private let digest = SHA256Digest()
    /// Bytes written.
    public private(set) var count: Int64 = 0
    /// Whether `finish` flushes the file to disk (`fsync`) before reporting success.
    public let synchronize: Bool

    /// Creates (or truncates) the file with mode 0644.
    /// - Parameters:
    ///   - path: the file.
    ///   - synchronize: `fsync` in `finish`, so a blob reported stored survives a crash (costs about a fifth of a
    ///     loopback download's time; bench/http-download.sh measures both).
    /// - Throws: `SystemError` when it cannot be created.
    public init(path: String, synchronize: Bool = true) throws {
        self.synchronize = synchronize
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError("create", path: path) }
        self.path = path
    }

    public func write(_ chunk: UnsafeRawBufferPointer) throws {
        digest.update(chunk)
        try FileIO.writeAll(fd: fd, chunk, path: path)
        count += Int64(chunk.count)
    }

    /// Flushes to disk, closes, and returns the digest: `sha256:<hex>`.
    /// - Throws: `SystemError` when the data cannot be made durable.
    public func finish() throws -> String {
        if synchronize { guard fsync(fd) == 0 else { throw SystemError("sync", path: path) } }
        close(fd)
        closed = true
        return digest.finish()
    }

    /// Closes and removes the partial file.
    public func discard() {
        if !closed { close(fd) }
        closed = true
        unlink(path)
    }

    private var closed = false

    deinit { if !closed { close(fd) } }
}

import AuthCore
import Glibc
import HTTPTransport
import Synchronization

/// Computes the SHA-256 of a large blob on a thread of its own while the transfer thread is still writing it:
/// the hasher reads back, with `pread` into one reused buffer, what the writer has already written (still in
/// the page cache), trailing it. Hashing in line would put about 0.6 s of CPU per GiB on the one thread that
/// drives every transfer. The digest is of the file's content itself, so verification covers exactly what
/// will be renamed under the digest's name; `finish()` returns only once every byte has been hashed.
///
/// The hasher also starts the kernel's writeback of what it has hashed (`POSIX_FADV_DONTNEED` every
/// `BlobDownloadSink.writebackStep`), after reading it, so the pages it still has to read are never dropped.
final class TrailingHasher: @unchecked Sendable {
    /// Blobs from this size on are hashed on their own thread (about 10 ms of hashing, against some 50 µs for
    /// the thread); smaller ones, the many-small-layers case, keep hashing in line, where a thread per blob
    /// would cost more than it saves.
    static let threshold: Int64 = 16 << 20
    /// Bytes read back at a time. Six large layers at once (10 of 20 MiB) peaked at 27 MiB with 256 KiB, 28-30
    /// MiB with 1 MiB; the 1 GiB pull times alike.
    private static let bufferSize = 256 << 10

    private let fd: Int32
    private let path: String
    private let digest = SHA256Digest()
    /// Bytes the writer has written so far.
    private let written = Atomic<Int64>(0)
    /// Set by the writer when no more bytes will come (or when the hasher must stop).
    private let ended = Atomic<Bool>(false)
    /// The hasher sleeps on it when it has caught up with the writer.
    private let wake = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    /// Posted by the hasher when it has stopped.
    private let stopped = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    /// Where the writer last woke the hasher.
    private var signalled: Int64 = 0
    /// Set by the hasher before it stops: the bytes it hashed, and the `errno` of a failed read.
    private var hashed: Int64 = 0
    private var readError: Int32 = 0
    private var running = false

    /// Starts hashing `fd` (open for reading) from offset 0 on a new thread.
    /// - Returns: nil when no thread could be started; the caller hashes in line instead.
    static func start(fd: Int32, path: String) -> TrailingHasher? {
        let hasher = TrailingHasher(fd: fd, path: path)
        hasher.running = TransferThread.start { hasher.run() }
        return hasher.running ? hasher : nil
    }

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
        sem_init(wake, 0, 0)
        sem_init(stopped, 0, 0)
    }

    deinit {
        sem_destroy(wake)
        sem_destroy(stopped)
        wake.deallocate()
        stopped.deallocate()
    }

    /// Tells the hasher that the file now holds `count` bytes. It is woken once per buffer's worth, not for each
    /// of libcurl's chunks.
    func advance(to count: Int64) {
        written.store(count, ordering: .releasing)
        if count - signalled >= Int64(Self.bufferSize) {
            signalled = count
            sem_post(wake)
        }
    }

    /// Waits until the hasher has read every byte written, and returns the digest.
    /// - Throws: `SystemError` when reading the file back failed.
    func finish() throws -> String {
        stop()
        if readError != 0 {
            errno = readError
            throw SystemError("read", path: path)
        }
        return digest.finish()
    }

    /// Waits for the hasher to stop after it has read what was written; the digest is then not used (the file
    /// is being discarded or truncated). Must run before the file's descriptor is closed.
    func stop() {
        guard running else { return }
        running = false
        ended.store(true, ordering: .releasing)
        sem_post(wake)
        while sem_wait(stopped) != 0 && errno == EINTR {}
    }

    private func run() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 4096)
        defer {
            buffer.deallocate()
            sem_post(stopped)
        }
        var offset: Int64 = 0
        var flushedTo: Int64 = 0
        while true {
            // Read `ended` before `written`: once it is set, `written` is final.
            let last = ended.load(ordering: .acquiring)
            let available = written.load(ordering: .acquiring)
            if offset < available {
                let count = Int(min(Int64(Self.bufferSize), available - offset))
                let n = pread(fd, buffer.baseAddress, count, off_t(offset))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    // A short file here means it was changed under us: fail rather than hash less.
                    readError = n < 0 ? errno : EIO
                    return
                }
                digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                offset += Int64(n)
                if offset - flushedTo >= BlobDownloadSink.writebackStep {
                    _ = posix_fadvise(fd, off_t(flushedTo), off_t(offset - flushedTo), POSIX_FADV_DONTNEED)
                    flushedTo = offset
                }
                continue
            }
            if last { break }
            while sem_wait(wake) != 0 && errno == EINTR {}
        }
        hashed = offset
    }
}

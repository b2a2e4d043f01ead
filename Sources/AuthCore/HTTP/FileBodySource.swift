import Glibc

/// A request body streamed from a file (a blob being pushed), optionally a byte range of it, never held in
/// memory. Each attempt opens the file anew, so a request can be resent after a 401 or a 307.
public struct FileBodySource: HTTPBodySource {
    /// The file.
    public let path: String
    /// Where the body starts in the file.
    public let offset: Int64
    /// How many bytes to send.
    public let length: Int64?

    /// A body of `length` bytes from `offset` (the rest of the file when `length` is `nil`).
    /// - Throws: `SystemError` when the file cannot be examined.
    public init(path: String, offset: Int64 = 0, length: Int64? = nil) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { throw SystemError("stat", path: path) }
        self.path = path
        self.offset = offset
        self.length = length ?? max(0, Int64(info.st_size) - offset)
    }

    public func makeReader() throws -> any HTTPBodyReader {
        try FileBodyReader(path: path, offset: offset, length: length ?? Int64.max)
    }
}

/// One pass over a file range.
final class FileBodyReader: HTTPBodyReader {
    private let fd: Int32
    private let path: String
    private var remaining: Int64

    init(path: String, offset: Int64, length: Int64) throws {
        // A blob's file was checked before it is sent; a symbolic link put in its place meanwhile is not followed.
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw SystemError("open", path: path) }
        self.path = path
        remaining = length
        if offset > 0, lseek(fd, off_t(offset), SEEK_SET) < 0 {
            let error = SystemError("seek in", path: path)
            close(fd)
            throw error
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard remaining > 0, let base = buffer.baseAddress else { return 0 }
        let want = Int(min(Int64(buffer.count), remaining))
        while true {
            let n = Glibc.read(fd, base, want)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw SystemError("read", path: path) }
            remaining -= Int64(n)
            return n
        }
    }

    deinit { close(fd) }
}

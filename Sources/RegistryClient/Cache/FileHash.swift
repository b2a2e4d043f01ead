import AuthCore
import Glibc
import HTTPTransport

/// The SHA-256 of a file's content, read from an open descriptor (so that what is hashed is the file that was
/// checked, whatever happens to its name meanwhile).
enum FileHash {
    /// Hashes everything from the descriptor's current offset to the end.
    /// - Returns: `sha256:<hex>` and the number of bytes read.
    /// - Throws: `SystemError` when reading fails.
    static func sha256(fd: Int32, path: String) throws -> (digest: String, bytes: Int64) {
        let hash = SHA256Digest()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total: Int64 = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw SystemError("read", path: path) }
            if n == 0 { return (hash.finish(), total) }
            buffer.withUnsafeBytes { hash.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            total += Int64(n)
        }
    }

    /// Hashes a regular file (a symbolic link as the last component is refused, not followed).
    /// - Returns: `nil` when the file is missing, not a regular file, or unreadable.
    static func sha256(regularFile path: String) -> (digest: String, bytes: Int64)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        return try? sha256(fd: fd, path: path)
    }
}

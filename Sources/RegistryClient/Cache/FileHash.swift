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
        var total: Int64 = 0
        try FileIO.forEachChunk(fd: fd, path: path) { chunk in
            hash.update(chunk)
            total += Int64(chunk.count)
        }
        return (hash.finish(), total)
    }

    /// Hashes a regular file (a symbolic link as the last component is refused, not followed).
    /// - Returns: `nil` when the file is missing, not a regular file, or unreadable; else the digest, the bytes
    ///   read and the file that was read.
    static func sha256(regularFile path: String) -> (digest: String, bytes: Int64, file: FileIdentity)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, let hashed = try? sha256(fd: fd, path: path)
        else { return nil }
        return (hashed.digest, hashed.bytes, FileIdentity(st))
    }
}

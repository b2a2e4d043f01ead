import AuthCore
import Glibc
import RegistryVocabulary

/// Trusting the cache no more than its content deserves.
///
/// A cached blob is served only while it is provably the file that was verified: when a blob of 64 KiB or more
/// is verified (on download, or by re-hashing), a stamp of its device, inode, size, modification and change times is kept in
/// `verified/<algorithm>/<hex>`. Any write, truncation, replacement, `touch` or `chmod` changes one of those
/// (the change time cannot be set back by an unprivileged process), so a changed file is hashed again before
/// use, and removed when it no longer matches its name. A blob that entered the cache without a sync of its own
/// (a copy `fill(from:as:)` made across file systems, or `copy --cache`'s) has a stamp naming the boot it was
/// written in (`BootIdentity`): after a restart it no longer matches, since a power cut may have lost bytes that
/// had not reached the disk, and the blob is hashed again. Hashing costs about 0.75 s per GiB here (OpenSSL's
/// SHA-256 over a 512 MiB file in the page cache: 0.38 s); the stamp makes the common case one `stat` and one
/// small read.
extension BlobCache {
    /// Blobs smaller than this get no stamp and are hashed again on every lookup: hashing 64 KiB takes about
    /// 40 µs here, less than creating and later reading a stamp file, and a pull of 200 small layers spent a
    /// good part of its time creating files (ext4's inode allocation, `perf record`).
    static let stampedFrom: Int64 = 64 << 10

    /// Where the verified stamp of a blob is kept.
    func stampPath(for digest: Digest) -> String {
        "\(root)/verified/\(digest.algorithm)/\(digest.encoded)"
    }

    /// The identity of a file's current content as far as the file system tells.
    /// - Parameter boot: for content not known to be on the disk, the boot it is trusted in.
    static func stamp(_ st: stat, boot: String? = nil) -> String {
        let identity =
            "\(st.st_dev) \(st.st_ino) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) \(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)"
        return identity + (boot.map { " unsynced \($0)" } ?? "") + "\n"
    }

    /// Whether the cached file for `digest` (whose `stat` is `st`) holds exactly the blob: its stamp still
    /// matches (an unsynced one only in the boot it names), or hashing it again proves it (then the file is
    /// synced and the stamp renewed). A file that fails is removed, so the next download replaces it.
    func isVerified(_ digest: Digest, _ st: stat) -> Bool {
        let path = path(for: digest)
        if Int64(st.st_size) >= Self.stampedFrom,
            let bytes = (try? FileIO.readIfExists(stampPath(for: digest), limit: 4096)) ?? nil
        {
            let recorded = String(decoding: bytes, as: UTF8.self)
            if recorded == Self.stamp(st) || BootIdentity.current.map({ recorded == Self.stamp(st, boot: $0) }) == true
            {
                return true
            }
        }
        guard digest.algorithm == "sha256", let hashed = FileHash.sha256(regularFile: path),
            hashed.digest == digest.description
        else {
            unlink(path)
            unlink(stampPath(for: digest))
            return false
        }
        // What was hashed may be bytes the kernel has not written yet (a file changed since its stamp).
        recordVerified(digest, inode: st.st_ino, synced: (try? DurabilityPass.syncData(of: path)) != nil)
        return true
    }

    /// Records that the cached file for `digest` was just verified. The stamp is written in place, without a
    /// temporary file or a sync: a stamp lost or torn by a crash only fails to match, and the blob is hashed
    /// again (an atomic, synced stamp cost every blob a second `fsync` and `rename`).
    /// - Parameters:
    ///   - inode: the verified file's inode: a file another process has put under the name meanwhile (with
    ///     content that may not be synced) gets no stamp from this one.
    ///   - synced: whether the file's content is known to be on the disk; if not, the stamp holds only in this
    ///     boot, and not at all where the boot cannot be told.
    func recordVerified(_ digest: Digest, inode: ino_t, synced: Bool) {
        var st = stat()
        guard lstat(path(for: digest), &st) == 0, st.st_ino == inode, Int64(st.st_size) >= Self.stampedFrom else {
            return
        }
        let boot = synced ? nil : BootIdentity.current
        guard synced || boot != nil else { return }
        let file = stampPath(for: digest)
        let fd = Self.openPrivate(file, O_WRONLY | O_TRUNC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        try? FileIO.writeAll(fd: fd, Array(Self.stamp(st, boot: boot).utf8), path: file)
    }

    /// Refuses a cache directory that someone else could have filled: one owned by another user, or writable
    /// by group or others (they could plant a file under a digest's name, or swap one after it was verified),
    /// by the same rule as the credentials file's directory (`PrivateFile.exposure(ofDirectory:)`).
    /// A directory that does not exist yet is fine: it is created private.
    /// - Throws: `RegistryError` (validation) saying what to change.
    public func requirePrivateRoot() throws {
        let fix = "use a directory of your own with OSSB_CACHE_DIR"
        switch PrivateFile.exposure(ofDirectory: root) {
        case nil: return
        case .owner(let uid)?:
            throw RegistryError(
                .validation, operation: .cache, registry: "",
                message: "the blob cache \(root) is owned by another user (uid \(uid), you are \(geteuid())); \(fix)")
        case .writableByOthers(let mode)?:
            throw RegistryError(
                .validation, operation: .cache, registry: "",
                message:
                    "the blob cache \(root) is writable by group or others (mode \(String(mode & 0o777, radix: 8))); run chmod go-w \(root), or \(fix)"
            )
        }
    }
}

import AuthCore
import CLinuxFiles
import Glibc
import RegistryVocabulary

/// The content-addressed blob cache (`OSSB_CACHE_DIR`, else `$XDG_CACHE_HOME/ossb`, else `~/.cache/ossb`):
/// `blobs/sha256/<hex>`, each file holding exactly the bytes that hash to its name.
///
/// Blobs are downloaded to `tmp/` and renamed into place only after their digest was verified, so a reader
/// never sees a partial or corrupt blob and two processes pulling the same image at once both end with the
/// same, complete file (`rename` is atomic; the second one simply replaces identical content).
public struct BlobCache: Sendable {
    /// The cache's root directory.
    public let root: String

    /// A cache rooted at `root`.
    public init(root: String) {
        self.root = root
    }

    /// The cache the environment names.
    /// - Throws: `RegistryError` (validation) when neither a cache variable nor `HOME` is set.
    public init(environment: Environment) throws {
        guard let root = OSSBPaths(environment: environment).cacheDirectory else {
            throw RegistryError(
                .validation, operation: .cache, registry: "",
                message: "cannot locate the blob cache: set HOME or OSSB_CACHE_DIR")
        }
        self.init(root: root)
    }

    /// Where a blob lives in the cache.
    public func path(for digest: Digest) -> String {
        "\(root)/blobs/\(digest.algorithm)/\(digest.encoded)"
    }

    /// The cached file for a digest, when present, verified (see `isVerified`) and of the expected size, when
    /// given.
    public func lookup(_ digest: Digest, size: Int64? = nil) -> String? {
        var st = stat()
        guard lstat(path(for: digest), &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        if let size, Int64(st.st_size) != size { return nil }
        guard isVerified(digest, st) else { return nil }
        return path(for: digest)
    }

    /// Prepares the cache for downloading `digests`, once per pull rather than once per blob: creates `tmp/`,
    /// `blobs/sha256/` and `verified/sha256/`, and removes partial downloads of those blobs left by processes that
    /// no longer run (killed mid-download). One listing of `tmp/` serves all of them (a listing per blob made 200
    /// blobs cost 200 listings of a directory holding up to 200 files).
    /// - Throws: `SystemError` when the cache's directories cannot be created.
    package func prepareDownloads(of digests: [Digest]) throws {
        for directory in ["\(root)/tmp", "\(root)/blobs/sha256", "\(root)/verified/sha256"] {
            try FileIO.makeDirectories(directory, mode: 0o700)
        }
        let wanted = Set(digests.map(\.encoded))
        for name in FileTree.names(in: "\(root)/tmp") {
            guard let dot = name.firstIndex(of: "."), wanted.contains(String(name[..<dot])), Self.isStalePartial(name)
            else { continue }
            unlink("\(root)/tmp/\(name)")
        }
    }

    /// A new temporary file path for a download of `digest`: `tmp/<hex>.<pid>.<random>.partial` (`tmp/` made by
    /// `prepareDownloads`). The path is removed if this process is interrupted (`InterruptCleanup`).
    package func temporaryPath(for digest: Digest) -> String {
        let path = "\(root)/tmp/\(digest.encoded).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).partial"
        InterruptCleanup.register(path)
        return path
    }

    /// Whether a file name in `tmp/` is a partial download whose process no longer runs.
    static func isStalePartial(_ name: String) -> Bool {
        isStale(name, suffix: "partial")
    }

    /// Whether `name` is `<hex>.<pid>.<random>.<suffix>` and that process no longer runs (it was killed before it
    /// could remove or rename the file).
    static func isStale(_ name: String, suffix: Substring) -> Bool {
        let parts = name.split(separator: ".")
        guard parts.count == 4, parts[3] == suffix, let pid = pid_t(parts[1]) else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Removes the copies `stageCopy` left in `directory` (a layout's `blobs/sha256/`) when its process was killed
    /// between copying and renaming: one listing per pull.
    package static func removeStaleCopies(in directory: String) {
        for name in FileTree.names(in: directory) where name.hasSuffix(".tmp") && isStale(name, suffix: "tmp") {
            unlink("\(directory)/\(name)")
        }
    }

    /// Moves a verified file into the cache under its digest's name.
    /// - Parameter synced: whether the caller made its content durable first (`DurabilityPass`), so that a power
    ///   cut cannot leave a partial file under that name. A blob moved in without (a copy `fill(from:as:)` made)
    ///   is trusted only until the machine restarts, then hashed again before use (`BootIdentity`).
    /// - Returns: the blob's path in the cache.
    package func commit(_ temporary: String, as digest: Digest, synced: Bool = true) throws -> String {
        let target = path(for: digest)
        var st = stat()
        guard lstat(temporary, &st) == 0 else { throw SystemError("find the verified blob at", path: temporary) }
        var moved = rename(temporary, target) == 0
        if !moved && errno == ENOENT && access(temporary, F_OK) == 0 {
            // The blob directory is gone (a `cache prune` meanwhile, or a cache nobody prepared).
            try FileIO.makeDirectories(FileIO.directoryName(of: target), mode: 0o700)
            moved = rename(temporary, target) == 0
        }
        guard moved else { throw SystemError("move a verified blob into the cache at", path: target) }
        InterruptCleanup.unregister(temporary)
        recordVerified(digest, inode: st.st_ino, synced: synced)
        return target
    }

    /// Keeps in the cache the blob `source` holds, a file this process has just written and verified as
    /// `digest` (a pulled layout's blob, which the pull makes durable there), without writing or syncing its
    /// bytes a second time.
    ///
    /// Where the two are on one file system, the cache's entry is a second name (hard link) of the layout's file:
    /// one file, written and synced once, and half the disk space. The cache still never serves an edited file:
    /// a blob under 64 KiB is hashed at every use, and a larger one's stamp names the file's change time, which
    /// any write through either name moves (so does a `chmod`, or removing the layout: the blob is then hashed
    /// once more, about 0.75 s per GiB, and stamped again). The layout's file keeps the user's mode; the cache's
    /// directories keep it private. Elsewhere the cache gets a copy (a reflink where the file system can), not
    /// synced, trusted until the machine restarts and hashed again after (`BootIdentity`).
    /// - Parameter file: the file that was verified; a different one at `source` (a layout's directory may be
    ///   writable by others, who could put one there) is refused.
    /// - Throws: `SystemError` when neither can be made; nothing is left under the digest's name then.
    func fill(from source: String, as digest: Digest, expecting file: FileIdentity) throws {
        let staged = try stageFill(from: source, as: digest, expecting: file)
        do {
            _ = try commit(staged.temporary, as: digest, synced: staged.linked)
        } catch {
            Self.discardCopy(staged.temporary)
            throw error
        }
    }

    /// The first half of `fill(from:as:)`: the cache's link to, or copy of, `source` in `tmp/`, for
    /// `commit(_:as:synced:)` with `synced: linked` once `source` is durable.
    /// - Throws: `SystemError` when the copy cannot be made; nothing is left in `tmp/` then.
    func stageFill(
        from source: String, as digest: Digest, expecting file: FileIdentity
    ) throws -> (temporary: String, linked: Bool) {
        let temporary = temporaryPath(for: digest)
        do {
            // A link fails across file systems (EXDEV) or where links are refused: a copy then. Either way the
            // cache's file is checked to be (or to be copied from) the verified one, once it can no longer change.
            if link(source, temporary) == 0 {
                guard FileIdentity(path: temporary) == file else { throw Self.notVerified(source) }
                return (temporary, true)
            }
            try Self.copyFile(source, to: temporary, mode: 0o600, startingWriteback: false, expecting: file)
            return (temporary, false)
        } catch {
            Self.discardCopy(temporary)
            throw error
        }
    }

    /// The error of a name that no longer leads to the file that was verified.
    static func notVerified(_ path: String) -> SystemError {
        SystemError("keep the verified blob: another file has taken its place at", path: path, code: ESTALE)
    }

    /// Opens (creating it, private to the user) a small file of the cache's own records, with `flags` besides
    /// `O_CREAT`; its directory is made only when missing (once per cache, not once per file).
    /// - Returns: the descriptor, or -1 with `errno` set.
    static func openPrivate(_ file: String, _ flags: Int32) -> Int32 {
        let fd = open(file, flags | O_CREAT | O_CLOEXEC, 0o600)
        guard fd < 0 && errno == ENOENT,
            (try? FileIO.makeDirectories(FileIO.directoryName(of: file), mode: 0o700)) != nil
        else { return fd }
        return open(file, flags | O_CREAT | O_CLOEXEC, 0o600)
    }

    /// Places a cached blob at `destination` (an OCI layout's blob path) as a file of its own with `mode`, made
    /// durable before it appears under its name: `stageCopy`, `fdatasync`, then `rename`.
    package static func place(_ source: String, at destination: String, mode: mode_t = 0o644) throws {
        if access(destination, F_OK) == 0 { return }
        let temporary = try stageCopy(of: source, beside: destination, mode: mode)
        do {
            try DurabilityPass.syncData(of: temporary)
        } catch {
            discardCopy(temporary)
            throw error
        }
        try commitCopy(temporary, to: destination)
    }

    /// Copies `source` to a temporary file beside `destination` (`<destination>.<pid>.<random>.tmp`, removed if
    /// the process is interrupted), not yet durable: a reflink (`FICLONE`) sharing storage with the cache where the
    /// file system can (btrfs, XFS), else a copy inside the kernel. Never a hard link: the layout's file would
    /// carry the cache's private mode, and editing it would corrupt the cache.
    /// - Returns: the temporary file, for `commitCopy` once a `DurabilityPass` covered it.
    package static func stageCopy(of source: String, beside destination: String, mode: mode_t) throws -> String {
        let temporary = temporaryPath(beside: destination)
        do {
            try copyFile(source, to: temporary, mode: mode)
        } catch {
            discardCopy(temporary)
            throw error
        }
        return temporary
    }

    /// A new temporary file path beside `destination` (`<destination>.<pid>.<random>.tmp`, on the same file system,
    /// so the rename onto `destination` cannot fail for crossing one), removed if the process is interrupted
    /// (`InterruptCleanup`) and, after a kill, by the next pull's `removeStaleCopies`.
    package static func temporaryPath(beside destination: String) -> String {
        let temporary = destination + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        InterruptCleanup.register(temporary)
        return temporary
    }

    /// Renames a staged copy to its final name (atomically replacing whatever is there).
    package static func commitCopy(_ temporary: String, to destination: String) throws {
        guard rename(temporary, destination) == 0 else {
            discardCopy(temporary)
            throw SystemError("place blob at", path: destination)
        }
        InterruptCleanup.unregister(temporary)
    }

    /// Removes a staged copy that will not be committed.
    package static func discardCopy(_ temporary: String) {
        unlink(temporary)
        InterruptCleanup.unregister(temporary)
    }

    /// Linux's `FICLONE` ioctl (`_IOW(0x94, 9, int)`): the destination shares the source's extents,
    /// copy-on-write.
    static let ficlone: UInt = 0x4004_9409

    /// Copies a file's content with `copy_file_range` (the kernel copies; no buffer here), starting write-back
    /// every `BlobDownloadSink.writebackStep` bytes like a download does (unless `startingWriteback` is false: a
    /// copy nobody syncs), so the durability pass has little left to wait for.
    /// - Parameter file: when given, the file `source` must be (checked on the open descriptor).
    static func copyFile(
        _ source: String, to destination: String, mode: mode_t = 0o644, startingWriteback: Bool = true,
        expecting file: FileIdentity? = nil
    ) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw SystemError("open", path: source) }
        defer { close(input) }
        if let file, FileIdentity(descriptor: input) != file { throw notVerified(source) }
        let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard output >= 0 else { throw SystemError("create", path: destination) }
        defer { close(output) }
        if ioctl(output, ficlone, input) == 0 { return }
        var copied: Int64 = 0
        var flushedTo: Int64 = 0
        while true {
            let n = copy_file_range(input, nil, output, nil, Int(BlobDownloadSink.writebackStep), 0)
            if n < 0 {
                if errno == EINTR { continue }
                // Older kernels refuse some pairs of file systems: copy through a buffer instead.
                if copied == 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
                    try FileIO.forEachChunk(fd: input, path: source) {
                        try FileIO.writeAll(fd: output, $0, path: destination)
                    }
                    return
                }
                throw SystemError("copy to", path: destination)
            }
            if n == 0 { return }
            copied += Int64(n)
            if startingWriteback && copied - flushedTo >= BlobDownloadSink.writebackStep {
                _ = posix_fadvise(output, off_t(flushedTo), off_t(copied - flushedTo), POSIX_FADV_DONTNEED)
                flushedTo = copied
            }
        }
    }
}

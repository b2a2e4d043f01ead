import AuthCore
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

    /// A new temporary file path for a download of `digest`: `tmp/<hex>.<pid>.<random>.partial`. Partial
    /// downloads of the same blob left by a process that no longer runs (killed mid-download) are removed first,
    /// and the new path is removed if this process is interrupted (`InterruptCleanup`).
    public func temporaryPath(for digest: Digest) throws -> String {
        let dir = "\(root)/tmp"
        try FileIO.makeDirectories(dir, mode: 0o700)
        for name in FileTree.names(in: dir) where name.hasPrefix("\(digest.encoded).") && Self.isStalePartial(name) {
            unlink("\(dir)/\(name)")
        }
        let path = "\(dir)/\(digest.encoded).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).partial"
        InterruptCleanup.register(path)
        return path
    }

    /// Whether a file name in `tmp/` is a partial download whose process no longer runs.
    static func isStalePartial(_ name: String) -> Bool {
        let parts = name.split(separator: ".")
        guard parts.count == 4, parts[3] == "partial", let pid = pid_t(parts[1]) else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Moves a verified download into the cache.
    /// - Returns: the blob's path in the cache.
    public func commit(_ temporary: String, as digest: Digest) throws -> String {
        let target = path(for: digest)
        try FileIO.makeDirectories(FileIO.directoryName(of: target), mode: 0o700)
        guard rename(temporary, target) == 0 else {
            throw SystemError("move a verified blob into the cache at", path: target)
        }
        recordVerified(digest)
        InterruptCleanup.unregister(temporary)
        return target
    }

    /// Places a cached blob at `destination` (an OCI layout's blob path) as a file of its own with `mode`: a
    /// reflink (`FICLONE`) sharing storage with the cache where the file system can (btrfs, XFS), else a copy.
    /// Never a hard link: the layout's file would carry the cache's private mode, and editing it would corrupt
    /// the cache. The destination is replaced atomically.
    public static func place(_ source: String, at destination: String, mode: mode_t = 0o644) throws {
        if access(destination, F_OK) == 0 { return }
        let temporary = destination + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        do {
            try copyFile(source, to: temporary, mode: mode)
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, destination) == 0 else {
            unlink(temporary)
            throw SystemError("place blob at", path: destination)
        }
    }

    /// Linux's `FICLONE` ioctl (`_IOW(0x94, 9, int)`): the destination shares the source's extents,
    /// copy-on-write.
    static let ficlone: UInt = 0x4004_9409

    static func copyFile(_ source: String, to destination: String, mode: mode_t = 0o644) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw SystemError("open", path: source) }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard output >= 0 else { throw SystemError("create", path: destination) }
        defer { close(output) }
        if ioctl(output, ficlone, input) == 0 { return }
        try FileIO.forEachChunk(fd: input, path: source) { try FileIO.writeAll(fd: output, $0, path: destination) }
        guard fsync(output) == 0 else { throw SystemError("sync", path: destination) }
    }

    // MARK: - Origins

    /// Remembers that a blob lives in `repository` of `registry`, so a later push to another repository of that
    /// registry can mount it instead of uploading it (one short line appended; `O_APPEND` keeps concurrent
    /// writers' lines whole).
    public func recordOrigin(_ digest: Digest, registry: String, repository: String) {
        let line = "\(registry) \(repository)\n"
        if origins(digest).contains(where: { $0.registry == registry && $0.repository == repository }) { return }
        guard (try? FileIO.makeDirectories("\(root)/origins", mode: 0o700)) != nil else { return }
        let fd = open("\(root)/origins/\(digest.encoded)", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        try? FileIO.writeAll(fd: fd, Array(line.utf8), path: "origins")
    }

    /// The repositories a blob is known to live in.
    public func origins(_ digest: Digest) -> [(registry: String, repository: String)] {
        guard let bytes = (try? FileIO.readIfExists("\(root)/origins/\(digest.encoded)", limit: 1 << 20)) ?? nil else {
            return []
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }
    }
}

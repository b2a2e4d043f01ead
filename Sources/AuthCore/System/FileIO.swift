import Glibc

/// Small, careful file operations over Glibc: FoundationEssentials has no `FileHandle`, and the stores need
/// exact control over modes, `fsync` and `rename`.
package enum FileIO {
    /// Reads a whole file, or returns `nil` when it does not exist.
    /// - Parameters:
    ///   - path: the file.
    ///   - limit: refuse files larger than this many bytes (a credentials file is small; a huge one is a
    ///     mistake, and reading it would only waste memory).
    /// - Throws: `SystemError` for any failure other than a missing file, `NotARegularFile` for a FIFO, device
    ///   or directory, `FileTooLarge` past `limit`.
    package static func readIfExists(_ path: String, limit: Int = 16 << 20) throws -> [UInt8]? {
        // Non-blocking, so that opening a FIFO nobody writes returns at once instead of hanging.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw SystemError("open", path: path)
        }
        defer { close(fd) }
        try requireRegularFile(fd: fd, path: path)
        return try readAll(fd: fd, path: path, limit: limit)
    }

    /// Checks that an open descriptor is a regular file (not a FIFO, device, socket or directory), the only
    /// kind a configuration or secret can be read from without hanging or reading forever.
    /// - Throws: `NotARegularFile`, or `SystemError` when `fstat` fails.
    package static func requireRegularFile(fd: Int32, path: String) throws {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SystemError("stat", path: path) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw NotARegularFile(path: path, kind: PrivateFile.kind(of: info))
        }
    }

    /// Reads from a descriptor until end of file.
    /// - Throws: `FileTooLarge` once more than `limit` bytes arrive; `SystemError` on a read error.
    package static func readAll(fd: Int32, path: String, limit: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        try forEachChunk(fd: fd, path: path, chunkSize: 65536) { chunk in
            result.append(contentsOf: chunk)
            if result.count > limit { throw FileTooLarge(path: path, limit: limit) }
        }
        return result
    }

    /// Reads from a descriptor until end of file, handing each chunk to `body`: the one read loop for files,
    /// whether they are kept, copied or hashed. `EINTR` is retried. The buffer is wiped afterwards, since what
    /// passes through it may be a secret (a helper request, a credentials file).
    /// - Throws: `SystemError` on a read error, or what `body` throws.
    package static func forEachChunk(
        fd: Int32, path: String, chunkSize: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        defer { SecretMemory.wipe(&chunk) }
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("read", path: path)
            }
            if n == 0 { return }
            try chunk.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }

    /// Writes every byte to a descriptor, retrying short writes and `EINTR`.
    package static func writeAll(fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { try writeAll(fd: fd, $0, path: path) }
    }

    /// Writes every byte of a buffer to a descriptor, retrying short writes and `EINTR`.
    package static func writeAll(fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("write", path: path)
            }
            offset += n
        }
    }

    /// Creates `path` and any missing parents with mode 0700 (the directories hold credentials).
    package static func makeDirectories(_ path: String, mode: mode_t = 0o700) throws {
        if path.isEmpty || path == "/" { return }
        var st = stat()
        if stat(path, &st) == 0 {
            if st.st_mode & S_IFMT == S_IFDIR { return }
            throw SystemError("create directory", path: path, code: ENOTDIR)
        }
        let parent = directoryName(of: path)
        if parent != path { try makeDirectories(parent, mode: mode) }
        if mkdir(path, mode) != 0, errno != EEXIST {
            throw SystemError("create directory", path: path)
        }
    }

    /// The names in a directory, `.` and `..` left out, sorted: the package's one directory lister
    /// (FoundationEssentials has no `FileManager`).
    /// - Returns: `nil` when nothing exists at `path`.
    /// - Throws: `SystemError` when it exists but cannot be listed (not a directory, no permission).
    package static func directoryEntries(_ path: String) throws -> [String]? {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw SystemError("list", path: path)
        }
        guard let dir = fdopendir(fd) else {
            let error = SystemError("list", path: path)
            close(fd)
            throw error
        }
        defer { closedir(dir) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { throw SystemError("list", path: path) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// The directory part of a path (`"."` when there is none).
    package static func directoryName(of path: String) -> String {
        var p = Substring(path)
        while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        guard let slash = p.lastIndex(of: "/") else { return "." }
        if slash == p.startIndex { return "/" }
        return String(p[..<slash])
    }

    /// The last component of a path.
    package static func baseName(of path: String) -> String {
        var p = Substring(path)
        while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        guard let slash = p.lastIndex(of: "/") else { return String(p) }
        return String(p[p.index(after: slash)...])
    }

    /// The target a path finally names, following symbolic links; the path itself when it does not exist.
    /// Writing through the resolved path keeps a symlinked credentials file (dotfile managers do this) a
    /// symlink instead of replacing it with a regular file.
    package static func resolvingSymlinks(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// A path names a FIFO, device, socket or directory where a file was expected.
package struct NotARegularFile: Error, Sendable, CustomStringConvertible {
    /// The path.
    package let path: String
    /// What it is instead (`a FIFO`).
    package let kind: String
    package var description: String { "\(path) is not a regular file (it is \(kind)); move it away" }
}

/// A file was larger than the reader allows.
package struct FileTooLarge: Error, Sendable, CustomStringConvertible {
    /// The file.
    package let path: String
    /// The limit in bytes.
    package let limit: Int
    package var description: String { "\(path) is larger than \(limit / 1024) KiB; is it the right file?" }
}

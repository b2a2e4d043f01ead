import Glibc

/// The rules a file that holds secrets (the file backend's store and its lock) must meet before it is read or
/// written, after ssh's `StrictModes`: another user must not be able to choose where the secrets go or what is
/// read as them.
///
/// - The file, and every symlink on the way to it, is owned by this user (or root).
/// - The directory holding each of them is owned by this user (or root) and not writable by group or others.
/// - The file itself is not writable by group or others, and is a regular file (a FIFO, a device or a
///   directory gets an error instead of a hang).
///
/// A missing file (or a dangling symlink's missing target) is fine: it is created with mode 0600. A dangling
/// symlink is followed to the path it names, so that the file is created there and the link stays a link.
package enum PrivateFile {
    /// How many symlinks are followed before giving up, as the kernel's own limit for one lookup.
    static let maximumLinks = 40

    /// Checks `path` and returns the path to read and write: the final target of any symlinks, which may not
    /// exist yet.
    /// - Throws: `PrivateFileError` naming the file and what to do.
    package static func checked(_ path: String) throws -> String {
        var current = path
        for _ in 0..<maximumLinks {
            var info = stat()
            if lstat(current, &info) != 0 {
                let code = errno
                guard code == ENOENT else {
                    throw PrivateFileError(
                        path: current, problem: SystemError("stat", path: current, code: code).reason)
                }
                try checkDirectory(of: current)
                return current
            }
            try checkDirectory(of: current)
            try checkOwner(info, of: current, what: isLink(info) ? "the symlink" : "the file")
            guard isLink(info) else {
                guard info.st_mode & S_IFMT == S_IFREG else {
                    throw PrivateFileError(
                        path: current, problem: "is not a regular file (it is \(kind(of: info))); move it away")
                }
                if info.st_mode & 0o022 != 0 {
                    throw PrivateFileError(
                        path: current,
                        problem:
                            "is writable by other users (mode \(octal(info.st_mode & 0o7777))); run chmod 600 on it")
                }
                return current
            }
            current = try target(ofLink: current)
        }
        throw PrivateFileError(
            path: path, problem: "is a chain of more than \(maximumLinks) symlinks; point it at the file directly")
    }

    /// The path a symlink names, made absolute against the link's directory.
    static func target(ofLink path: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { throw PrivateFileError(path: path, problem: SystemError("readlink", path: path).reason) }
        let bytes = buffer[0..<n].map { UInt8(bitPattern: $0) }
        let target = String(decoding: bytes, as: UTF8.self)
        return target.hasPrefix("/") ? target : FileIO.directoryName(of: path) + "/" + target
    }

    /// The directory holding `path` must be this user's (or root's) and closed to group and others. A
    /// directory that does not exist yet is created with mode 0700 by the writer.
    static func checkDirectory(of path: String) throws {
        let directory = FileIO.directoryName(of: path)
        switch exposure(ofDirectory: directory) {
        case nil: return
        case .owner(let uid)?:
            throw PrivateFileError(
                path: directory,
                problem:
                    "is the directory owned by uid \(uid), not by you (uid \(geteuid())); remove it or make it yours")
        case .writableByOthers(let mode)?:
            throw PrivateFileError(
                path: path,
                problem:
                    "is in \(directory), which is writable by other users (mode \(octal(mode))); run chmod go-w on it, or keep credentials in a private directory"
            )
        }
    }

    /// How another user could change what a directory holds.
    package enum Exposure: Sendable, Equatable {
        /// The directory is owned by this uid, neither this user nor root.
        case owner(uid_t)
        /// Group or others may write to it (its permission bits).
        case writableByOthers(mode: mode_t)
    }

    /// Whether another user could add, replace or remove files in `directory` (following symbolic links):
    /// the one rule for every directory that holds secrets or verified content (the credentials file's, the
    /// blob cache). Root may own it, as root could change it anyway.
    /// - Returns: what is wrong, or `nil` when the directory is private or does not exist.
    package static func exposure(ofDirectory directory: String) -> Exposure? {
        var info = stat()
        guard stat(directory, &info) == 0 else { return nil }
        if info.st_uid != geteuid() && info.st_uid != 0 { return .owner(info.st_uid) }
        if info.st_mode & 0o022 != 0 { return .writableByOthers(mode: info.st_mode & 0o7777) }
        return nil
    }

    static func checkOwner(_ info: stat, of path: String, what: String) throws {
        let me = geteuid()
        guard info.st_uid == me || info.st_uid == 0 else {
            throw PrivateFileError(
                path: path,
                problem: "is \(what) owned by uid \(info.st_uid), not by you (uid \(me)); remove it or make it yours")
        }
    }

    static func isLink(_ info: stat) -> Bool { info.st_mode & S_IFMT == S_IFLNK }

    /// A short name for a file's type.
    static func kind(of info: stat) -> String {
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFSOCK: return "a socket"
        default: return "not a file"
        }
    }

    static func octal(_ mode: mode_t) -> String { "0" + String(mode, radix: 8) }
}

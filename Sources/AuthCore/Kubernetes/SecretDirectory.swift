import Glibc

/// Low-level reads of a mounted secret volume, through a directory descriptor.
///
/// kubelet mounts a secret as a set of symbolic links (`username -> ..data/username`) and a `..data` link to a
/// timestamped directory holding the real files; an update writes a new timestamped directory and renames a
/// new `..data` link over the old one. Opening `..data` once and reading every key relative to that
/// descriptor gives one consistent version of the secret even while kubelet swaps it (never a new username
/// with an old password), and nothing is cached between calls, so a rotated secret is seen at once.
struct SecretDirectory {
    /// The mounted directory (the volume's mount point, or one secret's directory under it).
    let path: String

    /// The name of kubelet's link to the current version of the secret.
    static let dataLink = "..data"

    /// Largest value read from one key. A registry secret is well under 1 KiB; a huge file is a mistake.
    static let sizeLimit = 1 << 20

    /// Opens a directory for reading, following symbolic links; `nil` when it does not exist.
    static func open(directory path: String) throws -> Int32? {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw KubernetesSecretError.unreadable(path: path, error: SystemError("open", path: path))
        }
        return fd
    }

    /// Reads the given keys from one consistent version of the secret.
    ///
    /// When `..data` exists the keys are read inside the directory it names (the same files the top-level
    /// links lead to); otherwise straight from the directory (a plain directory of files, as a test or a
    /// hand-made mount has). If kubelet removes the old version between opening it and reading a key, the
    /// read starts over on the new version.
    /// - Parameter keys: the key names wanted; missing keys are left out of the result.
    /// - Returns: the bytes of each key present.
    /// - Throws: `KubernetesSecretError` naming the file that could not be read.
    func read(keys: [String]) throws -> [String: [UInt8]] {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try readOnce(keys: keys)
            } catch is VersionVanished where attempt < 5 {
                // The version we opened was replaced under us by an update; the new `..data` is already in place.
                continue
            } catch let error as VersionVanished {
                throw KubernetesSecretError.unreadable(
                    path: error.path, error: SystemError("read", path: error.path, code: ENOENT))
            }
        }
    }

    private func readOnce(keys: [String]) throws -> [String: [UInt8]] {
        guard let root = try Self.open(directory: path) else { return [:] }
        defer { close(root) }
        var versionFD = root
        let data = openat(root, Self.dataLink, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if data >= 0 {
            versionFD = data
        } else if errno != ENOENT {
            throw KubernetesSecretError.unreadable(
                path: "\(path)/\(Self.dataLink)", error: SystemError("open", path: "\(path)/\(Self.dataLink)"))
        }
        defer { if versionFD != root { close(versionFD) } }

        var result: [String: [UInt8]] = [:]
        for key in keys {
            let filePath = "\(path)/\(key)"
            // Non-blocking and checked to be a regular file: a FIFO planted as a key must not hang kubelet.
            let fd = openat(versionFD, key, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            if fd < 0 {
                let code = errno
                if code == ENOENT {
                    // Missing in a version that was deleted under us, or simply not a key of this secret.
                    if versionFD != root, Self.wasReplaced(versionFD, in: root) {
                        throw VersionVanished(path: filePath)
                    }
                    continue
                }
                throw KubernetesSecretError.unreadable(
                    path: filePath, error: SystemError("open", path: filePath, code: code))
            }
            defer { close(fd) }
            do {
                try FileIO.requireRegularFile(fd: fd, path: filePath)
                result[key] = try FileIO.readAll(fd: fd, path: filePath, limit: Self.sizeLimit)
            } catch let error as NotARegularFile {
                if error.kind == "a directory" {
                    throw KubernetesSecretError.unreadable(
                        path: filePath, error: SystemError("read", path: filePath, code: EISDIR))
                }
                throw KubernetesSecretError.malformed(
                    path: filePath, problem: "is not a regular file (it is \(error.kind)); a secret key must be a file")
            } catch let error as SystemError {
                throw KubernetesSecretError.unreadable(path: filePath, error: error)
            } catch is FileTooLarge {
                throw KubernetesSecretError.malformed(
                    path: filePath,
                    problem: "is larger than \(Self.sizeLimit >> 10) KiB, far more than any registry credential")
            }
        }
        return result
    }

    /// Whether `..data` now names another directory than the open version `fd`: kubelet swapped in a new
    /// version (and may be deleting the old one file by file, which is why a key went missing).
    private static func wasReplaced(_ fd: Int32, in root: Int32) -> Bool {
        var opened = stat()
        var current = stat()
        guard fstat(fd, &opened) == 0 else { return true }
        guard fstatat(root, dataLink, &current, 0) == 0 else { return true }
        return opened.st_ino != current.st_ino || opened.st_dev != current.st_dev
    }

    /// The names in the directory, `.` and `..` excluded, sorted; empty when it does not exist.
    static func entries(of path: String) throws -> [String] {
        do {
            return try FileIO.directoryEntries(path) ?? []
        } catch let error as SystemError {
            throw KubernetesSecretError.unreadable(path: path, error: error)
        }
    }

    /// Whether `path` names a directory (following symbolic links).
    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    /// Whether anything (a file, a link, even a dangling one) exists at `path`.
    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }
}

/// The version directory of a secret disappeared while it was being read.
private struct VersionVanished: Error {
    let path: String
}

import Glibc

/// Replaces a file's contents atomically: readers see the old file or the new one, never a mix, and a crash
/// or signal at any point leaves the old contents intact.
///
/// The steps are the classic ones: write a temporary file in the same directory, `fsync` it, `rename` it over
/// the target, `fsync` the directory. Termination signals are held back during those steps so that an
/// interrupted writer does not leave its temporary file behind.
package enum AtomicFile {
    /// Writes `bytes` to `path` atomically with the given mode.
    /// - Parameters:
    ///   - bytes: the new contents.
    ///   - path: the file to replace (or create); a symbolic link is followed and its target replaced.
    ///   - mode: permission bits of the new file; credentials files use 0600.
    /// - Throws: `SystemError`; the original file is untouched whenever this throws.
    package static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws {
        let target = FileIO.resolvingSymlinks(path)
        let directory = FileIO.directoryName(of: target)
        let temporary =
            "\(directory)/.\(FileIO.baseName(of: target)).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

        var blocked = sigset_t()
        var previous = sigset_t()
        sigemptyset(&blocked)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&blocked, signal) }
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }

        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SystemError("create", path: temporary) }
        var committed = false
        defer { if !committed { unlink(temporary) } }
        do {
            // umask may have narrowed the mode; set it exactly.
            if fchmod(fd, mode) != 0 { throw SystemError("chmod", path: temporary) }
            try FileIO.writeAll(fd: fd, bytes, path: temporary)
            if fsync(fd) != 0 { throw SystemError("fsync", path: temporary) }
        } catch {
            close(fd)
            throw error
        }
        if close(fd) != 0 { throw SystemError("close", path: temporary) }
        if rename(temporary, target) != 0 { throw SystemError("rename onto", path: target) }
        committed = true
        let dirfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            _ = fsync(dirfd)
            close(dirfd)
        }
    }
}

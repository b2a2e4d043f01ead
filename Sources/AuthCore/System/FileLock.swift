import Glibc

/// An exclusive advisory lock (`flock`) on a lock file beside the file it protects.
///
/// The lock is taken on `<file>.lock`, not on the file itself: the file is replaced by `rename` on every
/// write, and a lock on the old inode would not exclude a writer that opened the new one.
package final class FileLock {
    private let fd: Int32
    /// The lock file's path.
    package let path: String

    /// Takes the lock, waiting up to `timeout` seconds for another process to release it.
    /// - Throws: `SystemError` when the lock file cannot be opened; `LockTimeout` when the wait runs out.
    package init(path: String, timeout: Double = 10) throws {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError("open lock file", path: path) }
        let deadline = FileLock.now() + timeout
        var delay: UInt32 = 1_000
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            guard code == EWOULDBLOCK else {
                close(fd)
                throw SystemError("lock", path: path, code: code)
            }
            if FileLock.now() >= deadline {
                close(fd)
                throw LockTimeout(path: path, seconds: timeout)
            }
            usleep(delay)
            delay = min(delay * 2, 50_000)
        }
        self.fd = fd
    }

    /// Releases the lock (closing the descriptor releases it too, even if the process dies).
    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// Another process held a lock for longer than we were willing to wait.
package struct LockTimeout: Error, Sendable, CustomStringConvertible {
    /// The lock file.
    package let path: String
    /// How long we waited.
    package let seconds: Double
    package var description: String {
        "timed out after \(Int(seconds)) s waiting for the lock \(path); another process is writing, or remove a stale lock holder"
    }
}

import Glibc
import Synchronization

/// The pipe the signal handler writes the signal number to; the cleanup thread reads it. Set once by
/// `InterruptCleanup.install()` before the handler can run.
nonisolated(unsafe) private var interruptPipe: (read: Int32, write: Int32) = (-1, -1)

/// Files and directories to remove when the process is interrupted (SIGINT, SIGTERM): partial downloads in the
/// blob cache, and a layout directory a pull created and has not finished.
///
/// `install()` sets a signal handler that only writes the signal's number to a pipe (async-signal-safe); a thread
/// of its own reads the pipe, removes what is registered, and then lets the signal's default action end the
/// process, so the exit status still says it was interrupted. Without `install()` (in-process tests, library use)
/// registering is harmless bookkeeping.
public enum InterruptCleanup {
    private static let paths = Mutex<Set<String>>([])

    /// Removes `path` (recursively) if the process is interrupted before `unregister(path)`.
    public static func register(_ path: String) {
        paths.withLock { _ = $0.insert(path) }
    }

    /// Forgets `path`: it was committed or removed.
    public static func unregister(_ path: String) {
        paths.withLock { _ = $0.remove(path) }
    }

    /// Starts handling SIGINT and SIGTERM as described above (once, from `main`).
    public static func install() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        // Not inherited by the processes this one starts (credential helpers).
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        interruptPipe = (fds[0], fds[1])
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { _ in
            var byte: UInt8 = 0
            while read(interruptPipe.read, &byte, 1) != 1 {}
            for path in InterruptCleanup.paths.withLock({ $0 }) { FileTree.remove(path) }
            // End the way the signal would have: default action, unblocked in this thread, raised again.
            let number = Int32(byte)
            Glibc.signal(number, SIG_DFL)
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, number)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            raise(number)
            _exit(128 + number)
        }, nil)
        guard started == 0 else { return }
        pthread_detach(thread)
        for number in [SIGINT, SIGTERM] {
            Glibc.signal(number) { received in
                var byte = UInt8(truncatingIfNeeded: received)
                _ = write(interruptPipe.write, &byte, 1)
            }
        }
    }
}

import Glibc
import Synchronization

/// Files and directories to remove when the process is interrupted (SIGINT, SIGTERM): partial downloads in the
/// blob cache, and a layout directory a pull created and has not finished.
///
/// The command line's signal handling (`Interruption` in RegistryCommands) cancels the command first, which
/// removes these on its own way out; `removeAll()` is the net for a process that must end before that finishes
/// (a second signal, a clean-up past its time). In-process use never calls it: registering is bookkeeping.
package enum InterruptCleanup {
    private static let paths = Mutex<Set<String>>([])

    /// Removes `path` (recursively) if the process is interrupted before `unregister(path)`.
    package static func register(_ path: String) {
        paths.withLock { _ = $0.insert(path) }
    }

    /// Forgets `path`: it was committed or removed.
    package static func unregister(_ path: String) {
        paths.withLock { _ = $0.remove(path) }
    }

    /// Removes everything registered (recursively). Not async-signal-safe: call it from a thread, never from a
    /// signal handler.
    package static func removeAll() {
        for path in paths.withLock({ $0 }) { FileTree.remove(path) }
    }
}

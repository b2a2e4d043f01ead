import Glibc
import RegistryClient
import Synchronization

/// Ctrl-C (SIGINT) and SIGTERM during a command: the command's task is cancelled, so transfers stop and partial
/// downloads are removed, and the process exits with 128 + the signal's number, the status a shell gives a
/// process the signal ended (130 for Ctrl-C). A second signal, or a clean-up taking longer than
/// `cleanupSeconds`, ends the process at once with that status; so does a signal during a password prompt,
/// after the terminal's echo is back (a read from the terminal cannot be cancelled).
package enum Interruption {
    /// How long a cancelled command may take to clean up.
    static let cleanupSeconds: Int32 = 3
    /// The signal that arrived first (0: none).
    private static let received = Atomic<Int32>(0)
    /// The write end of the pipe the signal handler wakes the watcher thread through (a handler may only do
    /// async-signal-safe things, and cancelling a task is not one). Set once, before the handlers exist.
    nonisolated(unsafe) private static var wakeFD: Int32 = -1

    /// Runs `command` with the signals handled; returns its status, or 128 + the signal when one arrived and the
    /// command did not finish successfully anyway.
    package static func run(_ command: @escaping @Sendable () async -> Int32) async -> Int32 {
        let task = Task { await command() }
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            // Child processes (credential helpers) must not inherit the pipe.
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            wakeFD = fds[1]
            let readFD = fds[0]
            startThread { watch(readFD, task: task) }
            for number in [SIGINT, SIGTERM] {
                signal(number) { number in
                    var byte = UInt8(truncatingIfNeeded: number)
                    _ = Glibc.write(Interruption.wakeFD, &byte, 1)
                }
            }
        }
        let status = await task.value
        let number = received.load(ordering: .relaxed)
        return number != 0 && status != ExitStatus.success ? 128 + number : status
    }

    /// Waits for a signal, cancels the command, and ends the process if the clean-up does not finish in time.
    private static func watch(_ readFD: Int32, task: Task<Int32, Never>) {
        var byte: UInt8 = 0
        while Glibc.read(readFD, &byte, 1) != 1 {
            if errno != EINTR { return }
        }
        let number = Int32(byte)
        received.store(number, ordering: .relaxed)
        // `_exit`, not `exit`: transfers may still run on other threads, and the exit handlers (libcrypto's
        // clean-up) would pull their state away under them.
        if TerminalRestore.restore() { exitNow(128 + number) }
        task.cancel()
        var waiting = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
        _ = poll(&waiting, 1, cleanupSeconds * 1000)
        exitNow(128 + number)
    }

    /// Ends the process without waiting for the command: what it had not cleaned up yet (partial downloads, an
    /// unfinished layout) is removed first.
    private static func exitNow(_ status: Int32) -> Never {
        InterruptCleanup.removeAll()
        _exit(status)
    }

    /// Runs `body` on a detached thread of its own (not one of the few the task pool has).
    private static func startThread(_ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(
            &thread, nil,
            { raw in
                Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().run()
                return nil
            }, context)
        if started == 0 { pthread_detach(thread) }
    }
}

/// A closure handed to a new thread through pthread's untyped context pointer.
private final class ThreadBody: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

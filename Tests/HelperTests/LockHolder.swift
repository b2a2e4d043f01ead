import Foundation

/// Holds the exclusive lock on `<file>.lock` in another process (one process, so stopping it releases the
/// lock; flock(1) would leave its command holding it).
final class LockHolder: @unchecked Sendable {
    let process = Process()

    /// Takes the lock; returns once it is held.
    init(_ lockFile: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            "-c",
            "import fcntl, sys, time; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
            lockFile,
        ]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        // Wait until the lock is really held.
        let line = out.fileHandleForReading.availableData
        guard String(decoding: line, as: UTF8.self).hasPrefix("locked") else {
            throw SetupFailure("the lock holder did not take the lock")
        }
    }
    /// Releases the lock by ending the holder.
    func release() {
        // SIGKILL: the test runner's children may inherit SIGTERM blocked.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
    deinit { if process.isRunning { release() } }
}

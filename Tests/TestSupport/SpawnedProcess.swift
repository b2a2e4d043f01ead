import AuthCore
import Foundation
import Synchronization

/// A child process started with `posix_spawn`, its standard input, output and error on pipes, run to its end on
/// the calling thread with `poll`: nothing here needs another thread. Foundation's `Process` does: on Linux it
/// reaps every child from one manager thread (which blocks in `waitpid` for a child that closed its descriptors
/// early), and reading both outputs needs a thread each; the test runner's own threads are few (one a core) and
/// dispatch adds more only about one a second, so under load hundreds of process tests waited on each other for
/// minutes and network tests starved behind them.
package final class SpawnedProcess: Sendable {
    /// What the child did.
    package struct Outcome: Sendable {
        /// Its standard output and error, whole.
        package var stdout: [UInt8]
        package var stderr: [UInt8]
        /// Its exit status; 128 + the signal number when a signal ended it.
        package var status: Int32
        /// Whether it was killed because the deadline passed.
        package var timedOut: Bool
    }

    /// The child's process id.
    package let pid: pid_t
    /// The parent's ends of the child's pipes; -1 once closed.
    private let descriptors: Mutex<(input: Int32, output: Int32, error: Int32)>
    /// The exit status, once reaped.
    private let reaped = Mutex<Int32?>(nil)

    /// Starts `executable` with `arguments` and exactly `environment`; its standard input stays open until
    /// `finish` or `closeInput`.
    /// - Throws: `SpawnFailure` when it cannot be started.
    package init(_ executable: String, _ arguments: [String], environment: [String: String]) throws {
        // A child that exits without reading its input must give us EPIPE, not end the test process.
        signal(SIGPIPE, SIG_IGN)
        var input: [Int32] = [0, 0]
        var output: [Int32] = [0, 0]
        var error: [Int32] = [0, 0]
        guard pipe(&input) == 0, pipe(&output) == 0, pipe(&error) == 0 else {
            throw SpawnFailure("cannot create pipes for \(executable): \(String(cString: strerror(errno)))")
        }
        // Close-on-exec, so that children other tests start at the same moment do not inherit them (an inherited
        // write end would keep a reader from ever seeing end of file).
        for fd in input + output + error { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, error[1], 2)
        // Nothing else of the test process (other tests' pipes opened without close-on-exec by Foundation).
        _ = Self.closeFrom?(&actions, 3)
        let (pid, spawned) = Subprocess.spawn(executable, arguments, environment: environment, actions: &actions)
        for fd in [input[0], output[1], error[1]] { close(fd) }
        guard spawned == 0 else {
            for fd in [input[1], output[0], error[0]] { close(fd) }
            throw SpawnFailure("cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
        descriptors = Mutex((input[1], output[0], error[0]))
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc module does not
    /// declare (a GNU extension), found at run time.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? =
        {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
            else { return nil }
            return unsafeBitCast(
                symbol,
                to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
        }()

    /// Whether the child has not exited yet (reaping it if it has).
    package var isRunning: Bool {
        reaped.withLock { status in
            guard status == nil else { return false }
            var raw: Int32 = 0
            guard waitpid(pid, &raw, WNOHANG) == pid else { return true }
            status = Self.exitStatus(raw)
            return false
        }
    }

    /// Writes all of `bytes` to the child's standard input and closes it; blocks while the child does not read
    /// what exceeds the pipe's buffer, and stops early if it exits (EPIPE).
    package func feed(_ bytes: [UInt8]) {
        let fd = descriptors.withLock { fds -> Int32 in
            defer { fds.input = -1 }
            return fds.input
        }
        guard fd >= 0 else { return }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            offset += n
        }
        close(fd)
    }

    /// Writes `input` (unless already fed), collects both outputs until they close, and reaps the child; after
    /// `timeout` seconds the child is killed and the outcome says so.
    package func finish(input: [UInt8] = [], timeout: Double) -> Outcome {
        let (inputFD, outputFD, errorFD) = descriptors.withLock { fds in
            defer { fds = (-1, -1, -1) }
            return fds
        }
        if inputFD >= 0 { _ = fcntl(inputFD, F_SETFL, fcntl(inputFD, F_GETFL) | O_NONBLOCK) }
        var pendingInput = inputFD >= 0 ? input[...] : []
        var writing = inputFD
        if writing >= 0, pendingInput.isEmpty {
            close(writing)
            writing = -1
        }
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var reading = [outputFD, errorFD].filter { $0 >= 0 }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while !reading.isEmpty {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 {
                timedOut = true
                kill(pid, SIGKILL)
                break
            }
            var fds = reading.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if writing >= 0 { fds.append(pollfd(fd: writing, events: Int16(POLLOUT), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining, 1) * 1000) + 1)
            if ready < 0, errno != EINTR { break }
            for entry in fds where entry.revents != 0 {
                if entry.fd == writing {
                    let n = pendingInput.withUnsafeBytes { write(writing, $0.baseAddress, $0.count) }
                    if n > 0 { pendingInput = pendingInput.dropFirst(n) }
                    if (n < 0 && errno != EAGAIN && errno != EINTR) || pendingInput.isEmpty {
                        close(writing)
                        writing = -1
                    }
                    continue
                }
                let n = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if n < 0, errno == EINTR || errno == EAGAIN { continue }
                if n <= 0 {
                    reading.removeAll { $0 == entry.fd }
                    close(entry.fd)
                } else if entry.fd == outputFD {
                    stdout.append(contentsOf: buffer[0..<n])
                } else {
                    stderr.append(contentsOf: buffer[0..<n])
                }
            }
        }
        for fd in reading + (writing >= 0 ? [writing] : []) { close(fd) }
        return Outcome(stdout: stdout, stderr: stderr, status: waitForExit(), timedOut: timedOut)
    }

    /// Reaps the child (blocking) and returns its exit status.
    private func waitForExit() -> Int32 {
        reaped.withLock { status in
            if let status { return status }
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0, errno == EINTR {}
            let exit = Self.exitStatus(raw)
            status = exit
            return exit
        }
    }

    /// The exit status of a raw `waitpid` status: the exit code, or 128 + the signal number.
    private static func exitStatus(_ raw: Int32) -> Int32 {
        (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
    }

    /// Why a child could not be started.
    package struct SpawnFailure: Error, CustomStringConvertible {
        package let description: String
        init(_ description: String) { self.description = description }
    }
}

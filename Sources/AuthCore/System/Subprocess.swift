import CLinuxFiles
import Glibc

/// Runs a program with `posix_spawn`, feeding stdin and collecting stdout and stderr, bounded by a deadline.
///
/// FoundationEssentials has no `Process`. Credential helpers are run with small inputs and outputs, so the
/// whole of stdin is written up front (it fits in the pipe buffer) and both outputs are drained with `poll`
/// until they close or the deadline passes, at which point the child is killed: a helper that waits for a
/// keyring prompt must not hang `docker pull`.
package struct Subprocess: Sendable {
    /// What a finished (or killed) child produced.
    package struct Result: Sendable, Equatable {
        /// Standard output, as bytes decoded leniently.
        package var stdout: String
        /// Standard error.
        package var stderr: String
        /// The exit status; 128 + signal number when killed by a signal.
        package var status: Int32
        /// Whether the child was killed because the deadline passed.
        package var timedOut: Bool
    }

    /// The program's path.
    package var executable: String
    /// Arguments after the program name.
    package var arguments: [String]
    /// The complete environment of the child.
    package var environment: [String: String]
    /// Seconds before the child is killed.
    package var timeout: Double
    /// The largest output kept per stream; more is discarded (a helper's answer is tiny).
    package var outputLimit = 1 << 20
    /// Whether the child writes to this process's standard error instead of a collected pipe (`Result.stderr` is
    /// then empty): for a program whose messages are for the user as they happen, such as a credential process
    /// asking to touch a security key.
    package var inheritsStandardError = false
    /// The child's working directory; `nil` keeps this process's. A program asked for a credential is run in a
    /// fixed directory rather than wherever the user happens to be, which may hold files it would pick up.
    package var workingDirectory: String?

    /// Describes a run.
    package init(executable: String, arguments: [String] = [], environment: [String: String], timeout: Double) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.timeout = timeout
    }

    /// Runs the program to completion or until the deadline.
    /// - Parameter input: bytes written to its stdin, which is then closed.
    /// - Throws: `SystemError` when the program cannot be started.
    package func run(input: [UInt8] = []) throws -> Result {
        // A child that exits without reading its stdin must give us EPIPE, not kill us with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        var inPipe: [Int32] = [0, 0]
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&inPipe) == 0, pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
            throw SystemError("create a pipe for", path: executable)
        }
        // Close-on-exec, so that helpers run concurrently from other threads do not inherit these pipes (an
        // inherited write end would keep our read from ever seeing end of file).
        for fd in inPipe + outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let (pid, spawned) = spawn(stdin: inPipe[0], stdout: outPipe[1], stderr: errPipe[1])
        close(inPipe[0])
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(inPipe[1])
            close(outPipe[0])
            close(errPipe[0])
            throw SystemError("run", path: executable, code: spawned)
        }

        // Small inputs fit in the pipe buffer; a child that never reads just makes this fail with EPIPE.
        try? FileIO.writeAll(fd: inPipe[1], input, path: executable)
        close(inPipe[1])

        let output = collect(stdout: outPipe[0], stderr: errPipe[0])
        close(outPipe[0])
        close(errPipe[0])
        if output.timedOut { kill(pid, SIGKILL) }
        return Result(
            stdout: String(decoding: output.stdout, as: UTF8.self),
            stderr: String(decoding: output.stderr, as: UTF8.self),
            status: Self.exitStatus(of: pid), timedOut: output.timedOut)
    }

    /// Starts the program with the given descriptors as its stdin, stdout and stderr.
    /// - Returns: the child's process id, and `posix_spawn`'s result (0, or the error number).
    private func spawn(stdin: Int32, stdout: Int32, stderr: Int32) -> (pid: pid_t, code: Int32) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        if !inheritsStandardError { posix_spawn_file_actions_adddup2(&actions, stderr, 2) }
        if let workingDirectory { posix_spawn_file_actions_addchdir_np(&actions, workingDirectory) }

        return Self.spawn(executable, arguments, environment: environment, actions: &actions)
    }

    /// `posix_spawn` of `executable` with the prepared file `actions`, the child starting with no signal blocked
    /// and the usual dispositions, as from a shell.
    /// - Returns: the child's process id, and `posix_spawn`'s result (0, or the error number).
    package static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String],
        actions: inout posix_spawn_file_actions_t
    ) -> (pid: pid_t, code: Int32) {
        // The calling thread may be a dispatch worker of the task pool (they block nearly every signal) and
        // SIGPIPE is ignored here, and both would be inherited, leaving a helper deaf to Ctrl-C.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noneBlocked = sigset_t()
        sigemptyset(&noneBlocked)
        posix_spawnattr_setsigmask(&attributes, &noneBlocked)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        var spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        // ETXTBSY: another thread of this process was writing an executable (a helper just installed, a test's
        // script) when some fork inherited its descriptor. The window closes when that child execs: milliseconds
        // usually, but seen past 300 ms on a machine loaded ten times over, so the retries span about 2.5 s.
        var delay: UInt32 = 5_000
        for _ in 0..<9 where spawned == ETXTBSY {
            usleep(delay)
            delay *= 2
            spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        }
        return (pid, spawned)
    }

    /// Reads both outputs until they close or the deadline passes, keeping at most `outputLimit` bytes of each.
    private func collect(stdout: Int32, stderr: Int32) -> (stdout: [UInt8], stderr: [UInt8], timedOut: Bool) {
        var out: [UInt8] = []
        var err: [UInt8] = []
        let deadline = Self.now() + timeout
        var open: [Int32] = [stdout, stderr]
        var buffer = [UInt8](repeating: 0, count: 16384)
        while !open.isEmpty {
            let remaining = deadline - Self.now()
            if remaining <= 0 { return (out, err, true) }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining * 1000, 1000)) + 1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in fds where entry.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if n <= 0 {
                    if n < 0, errno == EINTR || errno == EAGAIN { continue }
                    open.removeAll { $0 == entry.fd }
                    continue
                }
                if entry.fd == stdout {
                    if out.count < outputLimit { out.append(contentsOf: buffer[0..<n]) }
                } else if err.count < outputLimit {
                    err.append(contentsOf: buffer[0..<n])
                }
            }
        }
        return (out, err, false)
    }

    /// Waits for the child and returns its exit status, 128 + the signal number when a signal ended it.
    private static func exitStatus(of pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Finds an executable: an absolute or relative path is taken as is; a bare name is searched in
    /// `directories` first, then in `PATH`.
    package static func locate(_ name: String, environment: Environment, directories: [String] = []) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in directories + path.split(separator: ":").map(String.init) where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            var st = stat()
            if stat(candidate, &st) == 0, st.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// The directory of the running executable (to find sibling helpers of the same build).
    package static var ownDirectory: String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return FileIO.directoryName(of: String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

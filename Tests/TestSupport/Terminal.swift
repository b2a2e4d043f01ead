import Foundation

/// Runs a program on a pseudo-terminal, as a user at a terminal would (scripts/testbed/pty-run.py): typing,
/// Ctrl-C, and whether the terminal echoes at a given moment.
package enum Terminal {
    /// One thing the user does.
    package enum Step {
        /// Wait until the terminal shows this text (after what the previous `expect` matched).
        case expect(String)
        /// Type this text ("\u{3}" is Ctrl-C: the terminal sends SIGINT, as a keyboard does).
        case send(String)
        /// Record under this name whether the terminal echoes typed text now.
        case echo(String)
        /// Wait, collecting output.
        case sleep(Double)

        var json: [String: Any] {
            switch self {
            case .expect(let text): ["expect": text]
            case .send(let text): ["send": text]
            case .echo(let name): ["echo": name]
            case .sleep(let seconds): ["sleep": seconds]
            }
        }
    }

    /// What the program did.
    package struct Result: Decodable, CustomStringConvertible {
        /// Everything written to the terminal (standard error, and standard output unless piped).
        package let terminal: String
        /// Standard output, when it was piped apart from the terminal.
        package let stdout: String
        /// The exit status, or `nil` when a signal ended the program.
        package let status: Int32?
        /// The signal that ended the program, if one did.
        package let signal: Int32?
        /// The echo states recorded by `.echo` steps, and `after_exit`.
        package let echo: [String: Bool]
        /// Seconds from the last step to the program's exit.
        package let secondsAfterSteps: Double
        /// The step that timed out, if one did.
        package let failed: String?

        enum CodingKeys: String, CodingKey {
            case terminal, stdout, status, signal, echo, failed
            case secondsAfterSteps = "seconds_after_steps"
        }

        package var description: String {
            "status \(status.map(String.init) ?? "none"), signal \(signal.map(String.init) ?? "none"), stdout \(stdout.debugDescription), terminal \(terminal.debugDescription), failed step \(failed ?? "none")"
        }
    }

    static let driver = "\(SourceTree.root)/scripts/testbed/pty-run.py"

    /// Runs `argv` with exactly `environment` on a terminal of `columns`x24 that is its controlling terminal, following
    /// `steps`; standard output goes to a pipe of its own unless `stdoutOnTerminal`. The whole run is bounded by
    /// `timeout` seconds (the program is killed after it).
    package static func run(
        _ argv: [String], environment: [String: String], steps: [Step], stdoutOnTerminal: Bool = false,
        columns: Int = 80, timeout: Double = 60
    ) throws -> Result {
        let job: [String: Any] = [
            "argv": argv, "env": environment, "steps": steps.map(\.json), "timeout": timeout, "columns": columns,
            "stdout": stdoutOnTerminal ? "pty" : "pipe",
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [driver]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: job))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try JSONDecoder().decode(Result.self, from: data)
    }
}

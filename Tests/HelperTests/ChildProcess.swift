import Foundation
import OSSBTestSupport
import Testing

/// Runs a program as a real child process with real pipes, as docker or skopeo would run a helper.
struct ChildProcess {
    struct Result: CustomStringConvertible {
        var stdout: String
        var stderr: String
        var status: Int32
        var description: String {
            "status \(status), stdout \(stdout.debugDescription), stderr \(stderr.debugDescription)"
        }
    }

    /// The directory holding the built products (the helpers sit beside the test bundle).
    /// `OSSB_TEST_BIN_DIR` runs the tests against helpers built elsewhere (a release or static build).
    static let productsDirectory =
        ProcessInfo.processInfo.environment["OSSB_TEST_BIN_DIR"] ?? TestProcess.productsDirectory

    /// Path of a built product, e.g. `docker-credential-ossb-file`.
    static func product(_ name: String) -> String { "\(productsDirectory)/\(name)" }

    /// Runs `executable` with `arguments`, feeding `stdin`, with exactly `environment` (plus PATH when absent).
    /// Fails the test if the process runs longer than `timeout` seconds.
    static func run(
        _ executable: String, _ arguments: [String] = [], stdin: [UInt8] = [], environment: [String: String],
        timeout: Double = 60
    ) throws -> Result {
        try start(executable, arguments, environment: environment).finish(stdin: stdin, timeout: timeout)
    }

    /// Starts `executable` and returns at once, the child waiting for its standard input: tests that need many
    /// processes alive together start them all first, then feed them (`Running.finish`).
    static func start(_ executable: String, _ arguments: [String] = [], environment: [String: String]) throws -> Running
    {
        var env = environment
        if env["PATH"] == nil { env["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        let process = try SpawnedProcess(executable, arguments, environment: TestProcess.withProfileFile(env))
        return Running(process: process, description: "\(executable) \(arguments)")
    }

    /// A started child process whose standard input is still open. Everything runs on the calling thread
    /// (`SpawnedProcess`), so tests running children at once never wait for each other's threads.
    struct Running: Sendable {
        let process: SpawnedProcess
        let description: String

        /// Writes `stdin`, closes it, collects the output and waits for the exit; fails the test after `timeout`.
        func finish(stdin: [UInt8], timeout: Double = 60) -> Result {
            result(process.finish(input: stdin, timeout: timeout), timeout: timeout)
        }

        /// Writes `stdin` and closes it (blocks until the child has read what does not fit the pipe).
        func feed(_ stdin: [UInt8]) { process.feed(stdin) }

        /// Collects the output and waits for the exit, the input having been fed; fails the test after `timeout`.
        func wait(timeout: Double = 60) -> Result {
            result(process.finish(timeout: timeout), timeout: timeout)
        }

        private func result(_ outcome: SpawnedProcess.Outcome, timeout: Double) -> Result {
            if outcome.timedOut { Issue.record("\(description) did not finish within \(timeout) s") }
            return Result(
                stdout: String(decoding: outcome.stdout, as: UTF8.self),
                stderr: String(decoding: outcome.stderr, as: UTF8.self), status: outcome.status)
        }
    }

    static func run(
        _ executable: String, _ arguments: [String] = [], input: String, environment: [String: String],
        timeout: Double = 60
    ) throws -> Result {
        try run(executable, arguments, stdin: Array(input.utf8), environment: environment, timeout: timeout)
    }
}

extension ChildProcess.Result {
    /// The `Secret` of a helper's `get` answer on stdout, or `nil` when stdout is not one.
    var helperSecret: String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: String] else {
            return nil
        }
        return object["Secret"]
    }
}

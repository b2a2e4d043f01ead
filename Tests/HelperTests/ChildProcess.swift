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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = environment
        if env["PATH"] == nil { env["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        process.environment = TestProcess.withProfileFile(env)
        let running = Running(process: process, description: "\(executable) \(arguments)")
        process.standardInput = running.inPipe
        process.standardOutput = running.outPipe
        process.standardError = running.errPipe
        try process.run()
        return running
    }

    /// A started child process whose standard input is still open.
    struct Running: @unchecked Sendable {
        let process: Process
        let description: String
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()

        /// Writes `stdin`, closes it, collects the output and waits for the exit; fails the test after `timeout`.
        func finish(stdin: [UInt8], timeout: Double = 60) -> Result {
            // Feed stdin from another thread so a child that does not read cannot deadlock us.
            let writer = Thread { feed(stdin) }
            writer.start()
            return wait(timeout: timeout)
        }

        /// Writes `stdin` and closes it (blocks until the child has read what does not fit the pipe).
        func feed(_ stdin: [UInt8]) {
            signal(SIGPIPE, SIG_IGN)
            try? inPipe.fileHandleForWriting.write(contentsOf: Data(stdin))
            try? inPipe.fileHandleForWriting.close()
        }

        /// Collects the output and waits for the exit, the input having been fed; fails the test after `timeout`.
        func wait(timeout: Double = 60) -> Result {
            let out = Collected()
            let err = Collected()
            let group = DispatchGroup()
            group.enter()
            DispatchQueue.global().async {
                out.data = outPipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
            group.enter()
            DispatchQueue.global().async {
                err.data = errPipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
            if group.wait(timeout: .now() + timeout) == .timedOut {
                process.terminate()
                Issue.record("\(description) did not finish within \(timeout) s")
                group.wait()
            }
            process.waitUntilExit()
            return Result(
                stdout: String(decoding: out.data, as: UTF8.self), stderr: String(decoding: err.data, as: UTF8.self),
                status: process.terminationStatus)
        }
    }

    static func run(
        _ executable: String, _ arguments: [String] = [], input: String, environment: [String: String],
        timeout: Double = 60
    ) throws -> Result {
        try run(executable, arguments, stdin: Array(input.utf8), environment: environment, timeout: timeout)
    }
}

/// Bytes filled in by one reader thread and read after it finished (the DispatchGroup orders the accesses).
private final class Collected: @unchecked Sendable {
    var data = Data()
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

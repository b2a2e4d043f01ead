import Foundation

/// Runs real programs (skopeo, the built helpers) as child processes, with Foundation's `Process`. Named apart
/// from AuthCore's `Subprocess` (the posix_spawn runner the helpers use), which tests that import both see too.
package enum TestProcess {
    /// What a program did.
    package struct Result: CustomStringConvertible {
        package var status: Int32
        package var stdout: String
        package var stderr: String
        package var description: String {
            "status \(status), stdout \(stdout.debugDescription), stderr \(stderr.debugDescription)"
        }
    }

    /// The directory of the built products (the test bundle sits beside them).
    package static let productsDirectory: String = {
        let exe =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path
    }()

    /// The path of a program on PATH.
    package static func which(_ program: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(program)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// `environment` plus this process's `LLVM_PROFILE_FILE`, when set: under scripts/coverage.sh every child
    /// the tests start writes its own coverage profile (the pattern has `%p`), so that the helpers' lines count.
    package static func withProfileFile(_ environment: [String: String]) -> [String: String] {
        var result = environment
        if result["LLVM_PROFILE_FILE"] == nil, let profile = ProcessInfo.processInfo.environment["LLVM_PROFILE_FILE"] {
            result["LLVM_PROFILE_FILE"] = profile
        }
        return result
    }

    /// Runs `executable` with exactly `environment`, no standard input, and waits for it (on this thread:
    /// `SpawnedProcess`); a run longer than `timeout` seconds is killed and throws.
    package static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], timeout: Double = 600
    ) throws -> Result {
        let outcome = try SpawnedProcess(executable, arguments, environment: withProfileFile(environment)).finish(
            timeout: timeout)
        guard !outcome.timedOut else {
            throw SpawnedProcess.SpawnFailure("\(executable) \(arguments) did not finish within \(timeout) s")
        }
        return Result(
            status: outcome.status, stdout: String(decoding: outcome.stdout, as: UTF8.self),
            stderr: String(decoding: outcome.stderr, as: UTF8.self))
    }
}

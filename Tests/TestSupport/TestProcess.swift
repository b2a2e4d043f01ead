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

    /// Runs `executable` with exactly `environment`, no standard input, and waits for it. Its output must be
    /// small (read after it exits).
    package static func run(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> Result
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = withProfileFile(environment)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}

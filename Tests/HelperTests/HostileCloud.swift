import Foundation
import OSSBTestSupport

/// scripts/testbed/hostile-cloud.py, a token endpoint and metadata server that misbehaves on purpose, started for
/// one test on a free loopback port and stopped (by its PID) when the test lets go of it.
final class HostileCloud: @unchecked Sendable {
    let process = Process()
    /// `http://127.0.0.1:PORT`; a path's first segment picks the misbehaviour (`/echo`, `/expires-huge`, ...).
    let base: String
    let port: Int

    /// Starts the server; `metadata` is how it answers Google metadata requests (a mode name, default `slow`).
    init(metadata: String = "slow") throws {
        let python = try TestProcess.which("python3") ?? { throw CocoaError(.fileNoSuchFile) }()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["\(SourceTree.root)/scripts/testbed/hostile-cloud.py"]
        process.environment = ["OSSB_HOSTILE_METADATA": metadata, "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line += byte
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile)
        }
        self.port = port
        base = "http://127.0.0.1:\(port)"
    }

    /// What reached the server's second address (127.0.0.2), where its redirects point: paths, headers, bodies.
    func secondHostLog() throws -> String {
        let curl = try TestProcess.which("curl") ?? { throw CocoaError(.fileNoSuchFile) }()
        return try TestProcess.run(curl, ["-sf", "\(base)/log"], environment: [:]).stdout
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }
}

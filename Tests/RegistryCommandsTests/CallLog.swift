import Foundation
import OSSBTestSupport

/// The C library calls of one program run with `Tests/Fixtures/call-log/call-log.c` preloaded: its opens,
/// closes, renames and syncs, each with the order it started and ended in among all of the program's threads.
struct CallLog {
    /// One logged call.
    struct Call {
        let name: String
        /// Positions on the process's one counter: this call started after every call whose `end` is smaller.
        let start: Int
        let end: Int
        /// The path of the descriptor argument (close, fsync, fdatasync, syncfs), resolved.
        let fdPath: String?
        /// The path argument (open) or a rename's source, absolute and resolved.
        let path: String?
        /// A rename's destination, absolute and resolved.
        let newPath: String?
        /// Whether an open had `O_CREAT`.
        let creates: Bool
        let result: Int
        let line: String
    }

    let calls: [Call]

    /// The compiled library, built once per test process with the system's C compiler.
    static let library: Result<String, Error> = Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ossb-call-log-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let output = directory + "/call-log.so"
        let compiled = try TestProcess.run(
            "/usr/bin/cc",
            [
                "-shared", "-fPIC", "-O2", "-o", output, SourceTree.root + "/Tests/Fixtures/call-log/call-log.c",
                "-ldl",
            ], environment: ["PATH": "/usr/bin:/bin"])
        guard compiled.status == 0 else { throw CompileFailure(description: "cc failed: \(compiled)") }
        return output
    }

    struct CompileFailure: Error, CustomStringConvertible { let description: String }

    /// The environment entries that preload the library and log to `file`.
    static func environment(loggingTo file: String) throws -> [String: String] {
        ["LD_PRELOAD": try library.get(), "OSSB_TEST_CALL_LOG": file]
    }

    /// Reads `file`, keeping the calls of the first process that started (the program run, not its children).
    init(contentsOf file: String) throws {
        var calls: [Call] = []
        var pid: Substring?
        for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 9 else { continue }
            if pid == nil, fields[3] == "start" { pid = fields[0] }
            guard fields[0] == pid, fields[3] != "start" else { continue }
            func value(_ field: Substring) -> String? { field == "-" ? nil : String(field) }
            calls.append(
                Call(
                    name: String(fields[3]), start: Int(fields[1]) ?? -1, end: Int(fields[2]) ?? -1,
                    fdPath: value(fields[4]), path: value(fields[5]), newPath: value(fields[6]),
                    creates: fields[7] == "1", result: Int(fields[8]) ?? -1, line: String(line)))
        }
        self.calls = calls.sorted { $0.start < $1.start }
    }

    /// `path` resolved as the log writes paths (symbolic links followed), with a trailing `/` when it had one.
    static func resolved(_ path: String) -> String {
        let trailing = path.hasSuffix("/")
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        return trailing && !resolved.hasSuffix("/") ? resolved + "/" : resolved
    }
}

import AuthCore
import Foundation
import Testing

/// The file store when something outside it goes wrong: another process holding its lock, a full disk, a
/// read-only file system. Nothing stored may be lost or half-written, and the helper says what happened in one
/// line.
@Suite struct FileStoreFailureProcessTests {
    let dir = TemporaryDirectory()
    let helper = ChildProcess.product("docker-credential-ossb-file")

    /// Runs the file helper with its credentials file at `file`.
    func helper(_ args: [String], _ input: String, file: String) throws -> ChildProcess.Result {
        try ChildProcess.run(
            helper, args, input: input, environment: ["HOME": dir.path, "OSSB_CREDENTIALS_FILE": file])
    }

    @Test func aLockHeldByAnotherProcessTimesOutAndLeavesTheFileAlone() throws {
        let file = dir.file("credentials.json")
        var store = FileStore(path: file)
        try store.store(HelperCredential(serverURL: "kept.example", username: "k", secret: "s"))
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        let holder = try LockHolder(file + ".lock")
        store.lockTimeout = 0.5
        let started = Date()
        #expect {
            try store.store(HelperCredential(serverURL: "new.example", username: "n", secret: "s"))
        } throws: { error in
            "\(error)".contains("timed out after") && "\(error)".contains("credentials.json.lock")
        }
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 0.5 && waited < 5, "waited \(waited) s for a 0.5 s timeout")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before)
        holder.release()
        try store.store(HelperCredential(serverURL: "new.example", username: "n", secret: "s"))
        #expect(try store.get("new.example")?.username == "n")
    }

    @Test func theHelperWaitsForALockReleasedSoonAndLands() throws {
        let file = dir.file("credentials.json")
        let holder = try LockHolder(file + ".lock")
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { holder.release() }
        let started = Date()
        let stored = try helper(["store"], #"{"ServerURL":"waited.example","Username":"w","Secret":"s"}"#, file: file)
        #expect(stored.status == 0, "\(stored)")
        #expect(Date().timeIntervalSince(started) >= 0.9, "the helper waited for the other process")
        #expect(try helper(["get"], "waited.example", file: file).stdout.contains(#""Username":"w""#))
    }

    /// A small tmpfs holding a credentials file with one entry stored by the helper, and that file's bytes.
    func smallDiskWithOneEntry() throws -> (SmallTmpfs, String, Data) {
        let disk = try SmallTmpfs(dir.file("disk"))
        let file = disk.path + "/credentials.json"
        #expect(
            try helper(["store"], #"{"ServerURL":"kept.example","Username":"k","Secret":"s"}"#, file: file).status == 0)
        return (disk, file, try Data(contentsOf: URL(fileURLWithPath: file)))
    }

    @Test(.enabled(if: getuid() == 0, "needs root to mount a small tmpfs"))
    func aFullDiskLeavesTheStoredFileWholeAndNoTemporaryFile() throws {
        let (disk, file, before) = try smallDiskWithOneEntry()
        try disk.fill()
        let refused = try helper(["store"], #"{"ServerURL":"new.example","Username":"n","Secret":"s"}"#, file: file)
        #expect(refused.status == 1, "\(refused)")
        // The helper protocol reports errors on standard output, where docker reads them.
        #expect(
            refused.stdout.contains("No space left on device") && refused.stdout.split(separator: "\n").count == 1,
            "\(refused)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before, "the stored file is untouched")
        #expect(try disk.entries().filter { $0.contains(".tmp-") }.isEmpty, "no temporary file left behind")
        #expect(try helper(["get"], "kept.example", file: file).status == 0)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to mount a small tmpfs"))
    func aReadOnlyFileSystemIsReportedAndNothingChanges() throws {
        let (disk, file, before) = try smallDiskWithOneEntry()
        try disk.remountReadOnly()
        for (action, input) in [
            ("store", #"{"ServerURL":"new.example","Username":"n","Secret":"s"}"#), ("erase", "kept.example"),
        ] {
            let refused = try helper([action], input, file: file)
            #expect(refused.status == 1, "\(action): \(refused)")
            #expect(
                refused.stdout.contains("Read-only file system") && refused.stdout.split(separator: "\n").count == 1,
                "\(action): \(refused)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before)
        #expect(try helper(["get"], "kept.example", file: file).status == 0, "reading still works")
    }
}

/// A 64 KiB tmpfs mounted for one test (root only), unmounted when released.
final class SmallTmpfs {
    let path: String

    init(_ path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", path])
    }

    /// Fills every free byte.
    func fill() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/dd")
        process.arguments = ["if=/dev/zero", "of=\(path)/filler", "bs=1k"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()  // dd stops at "No space left on device"
    }

    func remountReadOnly() throws { try Self.run("/bin/mount", ["-o", "remount,ro", path]) }

    func entries() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path) }

    static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw SetupFailure("\(executable) \(arguments) failed") }
    }

    deinit { try? Self.run("/bin/umount", [path]) }
}

/// A test's set-up could not be made (a mount, a lock).
struct SetupFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

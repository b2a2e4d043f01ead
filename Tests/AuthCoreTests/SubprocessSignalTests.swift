import AuthCore
import Glibc
import Testing

/// A helper started by `Subprocess` must react to signals like any program started from a shell: Ctrl-C at the
/// terminal reaches it too. The calling thread may have most signals blocked (Swift's task pool runs on
/// dispatch worker threads, which block nearly every signal) and SIGPIPE ignored; neither may be inherited.
@Suite struct SubprocessSignalTests {
    /// `SigBlk` and `SigIgn` of a child as /proc reports them (hexadecimal masks).
    func childSignalMasks() throws -> (blocked: UInt64, ignored: UInt64) {
        let result = try Subprocess(
            executable: "/bin/cat", arguments: ["/proc/self/status"], environment: [:], timeout: 10
        ).run()
        var masks: [String: UInt64] = [:]
        for line in result.stdout.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, ["SigBlk", "SigIgn"].contains(parts[0]) {
                masks[String(parts[0])] = UInt64(parts[1].filter { !$0.isWhitespace }, radix: 16)
            }
        }
        return (try #require(masks["SigBlk"]), try #require(masks["SigIgn"]))
    }

    @Test func aChildStartsWithNoSignalBlockedOrIgnored() async throws {
        let masks = try childSignalMasks()
        for (name, number) in [("SIGINT", SIGINT), ("SIGTERM", SIGTERM), ("SIGHUP", SIGHUP), ("SIGQUIT", SIGQUIT)] {
            #expect(masks.blocked & (1 << UInt64(number - 1)) == 0, "\(name) blocked in the child")
        }
        #expect(masks.ignored & (1 << UInt64(SIGPIPE - 1)) == 0, "SIGPIPE ignored in the child")
        #expect(masks.ignored & (1 << UInt64(SIGINT - 1)) == 0, "SIGINT ignored in the child")
    }
}

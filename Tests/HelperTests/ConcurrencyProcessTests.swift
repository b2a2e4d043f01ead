import Foundation
import Testing

/// Many processes storing at once lose nothing: every write is made under an exclusive lock and lands
/// atomically (docker's and containers' own files lose entries here: distribution#2874).
@Suite struct ConcurrencyProcessTests {
    // Synchronous: the one-second wait below must not depend on a busy task pool to resume it.
    @Test func manyConcurrentStoresAllLand() throws {
        let dir = TemporaryDirectory()
        let helper = ChildProcess.product("docker-credential-ossb-file")
        let env = ["HOME": dir.path]
        let count = 48
        // All 48 are started first and sit waiting for their input, so they are alive at the same moment. (Running
        // each in a task of its own would let the cooperative pool, one thread per core, run only a couple at once.)
        let children = try (0..<count).map { _ in try ChildProcess.start(helper, ["store"], environment: env) }
        #expect(children.allSatisfy { $0.process.isRunning }, "all \(count) helpers alive at once")
        // Another process holds the file's lock while every input is released (each fits a pipe's buffer): all 48
        // must then be waiting for the lock together, and all land once it is free.
        try FileManager.default.createDirectory(atPath: dir.file(".ossb"), withIntermediateDirectories: true)
        let holder = try LockHolder(dir.file(".ossb/credentials.json.lock"))
        for (i, child) in children.enumerated() {
            child.feed(Array(#"{"ServerURL":"r\#(i).example:5000","Username":"user\#(i)","Secret":"pw\#(i)"}"#.utf8))
        }
        Thread.sleep(forTimeInterval: 1)
        #expect(children.filter { $0.process.isRunning }.count == count, "every helper waits for the lock at once")
        holder.release()
        for child in children {
            let result = child.wait()
            #expect(result.status == 0, "\(result)")
        }
        let listed = try ChildProcess.run(helper, ["list"], input: "", environment: env)
        let expected = (0..<count).map { "\"r\($0).example:5000\":\"user\($0)\"" }
        for entry in expected { #expect(listed.stdout.contains(entry)) }
        for i in [0, count / 2, count - 1] {
            let got = try ChildProcess.run(helper, ["get"], input: "r\(i).example:5000", environment: env)
            #expect(got.stdout.contains("\"Secret\":\"pw\(i)\""))
        }
        // No temporary files are left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.file(".ossb")).filter {
            $0.contains(".tmp-")
        }
        #expect(leftovers.isEmpty)
    }

    @Test func concurrentStoresAndErasesKeepOtherEntries() async throws {
        let dir = TemporaryDirectory()
        let helper = ChildProcess.product("docker-credential-ossb-file")
        let env = ["HOME": dir.path]
        for i in 0..<10 {
            _ = try ChildProcess.run(
                helper, ["store"], input: #"{"ServerURL":"keep\#(i)","Username":"k","Secret":"s"}"#, environment: env)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<20 {
                group.addTask {
                    _ = try ChildProcess.run(
                        helper, ["store"], input: #"{"ServerURL":"tmp\#(i)","Username":"t","Secret":"s"}"#,
                        environment: env)
                    _ = try ChildProcess.run(helper, ["erase"], input: "tmp\(i)", environment: env)
                }
            }
            try await group.waitForAll()
        }
        let listed = try ChildProcess.run(helper, ["list"], input: "", environment: env)
        #expect(listed.stdout == "{" + (0..<10).map { "\"keep\($0)\":\"k\"" }.joined(separator: ",") + "}\n")
    }
}

import Foundation
import Testing

/// Many processes storing at once lose nothing: every write is made under an exclusive lock and lands
/// atomically (docker's and containers' own files lose entries here: distribution#2874).
@Suite struct ConcurrencyProcessTests {
    @Test func manyConcurrentStoresAllLand() async throws {
        let dir = TemporaryDirectory()
        let helper = ChildProcess.product("docker-credential-ossb-file")
        let env = ["HOME": dir.path]
        let count = 48
        try await withThrowingTaskGroup(of: Int32.self) { group in
            for i in 0..<count {
                group.addTask {
                    try ChildProcess.run(
                        helper, ["store"],
                        input: #"{"ServerURL":"r\#(i).example:5000","Username":"user\#(i)","Secret":"pw\#(i)"}"#,
                        environment: env
                    ).status
                }
            }
            for try await status in group { #expect(status == 0) }
        }
        let listed = try ChildProcess.run(helper, ["list"], input: "", environment: env)
        let expected = (0..<count).map { "\"r\($0).example:5000\":\"user\($0)\"" }
        for entry in expected { #expect(listed.stdout.contains(entry)) }
        for i in [0, count / 2, count - 1] {
            let got = try ChildProcess.run(helper, ["get"], input: "r\(i).example:5000", environment: env)
            #expect(got.stdout.contains("\"Secret\":\"pw\(i)\""))
        }
        // No temporary files are left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.file(".ossb")).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func concurrentStoresAndErasesKeepOtherEntries() async throws {
        let dir = TemporaryDirectory()
        let helper = ChildProcess.product("docker-credential-ossb-file")
        let env = ["HOME": dir.path]
        for i in 0..<10 {
            _ = try ChildProcess.run(helper, ["store"], input: #"{"ServerURL":"keep\#(i)","Username":"k","Secret":"s"}"#, environment: env)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<20 {
                group.addTask {
                    _ = try ChildProcess.run(helper, ["store"], input: #"{"ServerURL":"tmp\#(i)","Username":"t","Secret":"s"}"#, environment: env)
                    _ = try ChildProcess.run(helper, ["erase"], input: "tmp\(i)", environment: env)
                }
            }
            try await group.waitForAll()
        }
        let listed = try ChildProcess.run(helper, ["list"], input: "", environment: env)
        #expect(listed.stdout == "{" + (0..<10).map { "\"keep\($0)\":\"k\"" }.joined(separator: ",") + "}\n")
    }
}

import Foundation
import Synchronization
import Testing

/// Items that vanish between the keyring helper's search and its read of the secret: one process stores and
/// erases an item over and over while others `get` and `list` it, against the real gnome-keyring. Every answer
/// must be whole (the credential as stored, or "not found"); never an error, a half item, or a failed `list`.
@Suite(.enabled(if: TestBed.keyringBus != nil, "needs the keyring session of scripts/test.sh (OSSB_TEST_KEYRING)"))
struct SecretServiceVanishingProcessTests {
    let home = TemporaryDirectory()
    var env: [String: String] { TestBed.keyringEnvironment(bus: TestBed.keyringBus, home: home.path) }

    @Test func readersSeeWholeItemsOrNoneWhileAnotherProcessErasesThem() throws {
        let server = TestBed.uniqueServer("vanishing")
        let helper = TestBed.secretServiceHelper
        let env = self.env
        let rounds = 40
        let stored = #"{"ServerURL":"\#(server)","Username":"racer","Secret":"race-secret"}"#
        // Each worker returns what it saw: problems, and how often the item was found and missing. The workers are
        // threads, not tasks: they block on child processes, and on a 2-core machine the cooperative pool ran two
        // of three tasks at a time, so the reader could start only after the writer had finished.
        typealias Seen = (problems: [String], found: Int, missing: Int)
        let writer: @Sendable () throws -> Seen = {
            var problems: [String] = []
            for _ in 0..<rounds {
                let put = try ChildProcess.run(helper, ["store"], input: stored, environment: env)
                let gone = try ChildProcess.run(helper, ["erase"], input: server, environment: env)
                if put.status != 0 || gone.status != 0 { problems.append("writer: \(put) / \(gone)") }
            }
            return (problems, 0, 0)
        }
        let reader: @Sendable () throws -> Seen = {
            var result: Seen = ([], 0, 0)
            for _ in 0..<rounds * 2 {
                let got = try ChildProcess.run(helper, ["get"], input: server, environment: env)
                if got.status == 0 && got.stdout == stored + "\n" {
                    result.found += 1
                } else if got.status == 1 && got.stdout == "credentials not found in native keychain\n" {
                    result.missing += 1
                } else {
                    result.problems.append("get: \(got)")
                }
            }
            return result
        }
        let lister: @Sendable () throws -> Seen = {
            var problems: [String] = []
            for _ in 0..<rounds {
                let listed = try ChildProcess.run(helper, ["list"], input: "", environment: env)
                let object = try? JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: String]
                if listed.status != 0 || object == nil || (object?[server] != nil && object?[server] != "racer") {
                    problems.append("list: \(listed)")
                }
            }
            return (problems, 0, 0)
        }
        let seen = try ConcurrentWorkers.run([writer, reader, lister]).reduce(into: Seen([], 0, 0)) { total, part in
            total.problems += part.problems
            total.found += part.found
            total.missing += part.missing
        }
        #expect(seen.problems.isEmpty, "\(seen.problems.prefix(3))")
        #expect(seen.found > 0 && seen.missing > 0, "the race was real: \(seen.found) found, \(seen.missing) missing")
        _ = try ChildProcess.run(helper, ["erase"], input: server, environment: env)
    }
}

/// Runs blocking closures on threads of their own, all at once, and returns their results in order.
enum ConcurrentWorkers {
    static func run<T: Sendable>(_ work: [@Sendable () throws -> T]) throws -> [T] {
        let results = Mutex<[Int: Result<T, any Error>]>([:])
        let group = DispatchGroup()
        for (index, body) in work.enumerated() {
            group.enter()
            Thread.detachNewThread {
                let result = Result { try body() }
                results.withLock { $0[index] = result }
                group.leave()
            }
        }
        group.wait()
        let all = results.withLock { $0 }
        return try (0..<work.count).map { try all[$0]!.get() }
    }
}

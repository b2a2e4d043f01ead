import Foundation
import Testing

/// The keyring helper never prints a secret except in `get`'s answer: stores known secrets, runs every
/// action and error path (including a keyring that is not there), and scans everything printed.
@Suite(.enabled(if: TestBed.keyringBus != nil, "needs the keyring session of scripts/test.sh (OSSB_TEST_KEYRING)"))
struct SecretServiceHygieneProcessTests {
    static let secrets = ["Pa55-word-DELTA-42", "tok-ECHO-77aa"]

    @Test func noSecretInAnyOutputButGet() throws {
        let home = TemporaryDirectory()
        let helper = TestBed.secretServiceHelper
        let env = TestBed.keyringEnvironment(bus: TestBed.keyringBus, home: home.path)
        let noBus = TestBed.keyringEnvironment(bus: nil, home: home.path)
        let s1 = TestBed.uniqueServer("hygiene-pw")
        let s2 = TestBed.uniqueServer("hygiene-tok")
        defer {
            _ = try? ChildProcess.run(helper, ["erase"], input: s1, environment: env)
            _ = try? ChildProcess.run(helper, ["erase"], input: s2, environment: env)
        }
        var outputs: [(String, ChildProcess.Result)] = []
        func record(_ label: String, _ input: String, _ action: String, _ environment: [String: String]) throws {
            outputs.append((label, try ChildProcess.run(helper, [action], input: input, environment: environment)))
        }
        try record(
            "store password", #"{"ServerURL":"\#(s1)","Username":"u1","Secret":"\#(Self.secrets[0])"}"#, "store", env)
        try record(
            "store token", #"{"ServerURL":"\#(s2)","Username":"<token>","Secret":"\#(Self.secrets[1])"}"#, "store", env)
        try record("list", "", "list", env)
        try record("erase missing", "nothing.example", "erase", env)
        try record("get missing", "nothing.example", "get", env)
        try record("store missing url", #"{"Username":"u","Secret":"\#(Self.secrets[0])"}"#, "store", env)
        try record(
            "store broken json", #"{"ServerURL":"r","Username":"u","Secret":"\#(Self.secrets[0])" oops"#, "store", env)
        try record(
            "store without bus", #"{"ServerURL":"\#(s1)","Username":"u1","Secret":"\#(Self.secrets[0])"}"#, "store",
            noBus)
        try record("get without bus", s1, "get", noBus)
        if let bare = TestBed.bareBus {
            let bareEnv = TestBed.keyringEnvironment(bus: bare, home: home.path)
            try record(
                "store on bare bus", #"{"ServerURL":"\#(s1)","Username":"u1","Secret":"\#(Self.secrets[0])"}"#, "store",
                bareEnv)
        }
        for (label, result) in outputs {
            for secret in Self.secrets {
                #expect(!result.stdout.contains(secret), "\(label) printed a secret on stdout")
                #expect(!result.stderr.contains(secret), "\(label) printed a secret on stderr")
            }
        }
        // The positive control: `get` does return them, so the scan above could have found them.
        #expect(try ChildProcess.run(helper, ["get"], input: s1, environment: env).stdout.contains(Self.secrets[0]))
        #expect(try ChildProcess.run(helper, ["get"], input: s2, environment: env).stdout.contains(Self.secrets[1]))
    }
}

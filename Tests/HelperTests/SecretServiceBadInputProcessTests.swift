import Foundation
import Testing

/// The file helper's bad-input cases, run against the keyring helper: one clear line on stdout, exit 1,
/// nothing on stderr, and the keyring unchanged (the seeded entry intact, nothing stored under the case's names).
@Suite(.enabled(if: TestBed.keyringBus != nil, "needs the keyring session of scripts/test.sh (OSSB_TEST_KEYRING)"))
struct SecretServiceBadInputProcessTests {
    static let helperName = "docker-credential-ossb-secretservice"

    @Test(arguments: BadInputProcessTests.cases)
    func rejectedCleanly(_ c: BadInputProcessTests.Case) throws {
        let home = TemporaryDirectory()
        let env = TestBed.keyringEnvironment(bus: TestBed.keyringBus, home: home.path)
        let helper = TestBed.secretServiceHelper
        let seed = TestBed.uniqueServer("bad-input-seed")
        let seedInput = #"{"ServerURL":"\#(seed)","Username":"seed","Secret":"seed-secret"}"#
        #expect(try ChildProcess.run(helper, ["store"], input: seedInput, environment: env).status == 0)
        defer { _ = try? ChildProcess.run(helper, ["erase"], input: seed, environment: env) }

        let result = try ChildProcess.run(helper, c.arguments, stdin: c.stdin, environment: env)
        result.expectCleanRejection(
            c.expected?.replacingOccurrences(of: "docker-credential-ossb-file", with: Self.helperName))

        let got = try ChildProcess.run(helper, ["get"], input: seed, environment: env)
        #expect(got.stdout == #"{"ServerURL":"\#(seed)","Username":"seed","Secret":"seed-secret"}"# + "\n")
        // The cases name server "r" (and "a.example"); none of them may have stored anything.
        let listed = try ChildProcess.run(helper, ["list"], input: "", environment: env).stdout
        #expect(!listed.contains("\"r\":") && !listed.contains("\"a.example\":"), "\(listed)")
    }
}

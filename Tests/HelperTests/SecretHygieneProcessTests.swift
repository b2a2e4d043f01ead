import Foundation
import Testing

/// No secret appears in any output except the one place the protocol puts it (`get`'s stdout): stores known
/// secrets, runs every action and every error path, and scans everything printed.
@Suite struct SecretHygieneProcessTests {
    static let secrets = ["Pa55-word-ALPHA-91", "tok-BRAVO-8c1e", "env-CHARLIE-secret"]

    @Test func noSecretInAnyOutputButGet() throws {
        let dir = TemporaryDirectory()
        let file = ChildProcess.product("docker-credential-ossb-file")
        let envHelper = ChildProcess.product("docker-credential-ossb-env")
        let env = ["HOME": dir.path, "R3_EXAMPLE_USERNAME": "u3", "R3_EXAMPLE_PASSWORD": Self.secrets[2]]
        var outputs: [(String, ChildProcess.Result)] = []
        func record(_ label: String, _ r: ChildProcess.Result) { outputs.append((label, r)) }

        record(
            "store password",
            try ChildProcess.run(
                file, ["store"], input: #"{"ServerURL":"r1.example","Username":"u1","Secret":"\#(Self.secrets[0])"}"#,
                environment: env))
        record(
            "store token",
            try ChildProcess.run(
                file, ["store"],
                input: #"{"ServerURL":"r2.example","Username":"<token>","Secret":"\#(Self.secrets[1])"}"#,
                environment: env))
        record("list", try ChildProcess.run(file, ["list"], input: "", environment: env))
        record("env list", try ChildProcess.run(envHelper, ["list"], input: "", environment: env))
        record("version", try ChildProcess.run(file, ["version"], input: "", environment: env))
        // Error paths that carry a secret in their input.
        record(
            "store missing url",
            try ChildProcess.run(
                file, ["store"], input: #"{"Username":"u","Secret":"\#(Self.secrets[0])"}"#, environment: env))
        record(
            "store broken json",
            try ChildProcess.run(
                file, ["store"], input: #"{"ServerURL":"r","Username":"u","Secret":"\#(Self.secrets[0])" oops"#,
                environment: env))
        record(
            "store number",
            try ChildProcess.run(
                file, ["store"],
                input: #"{"ServerURL":"r","Username":"u","Secret":"\#(Self.secrets[1])","Username":7}"#,
                environment: env))
        record(
            "env store",
            try ChildProcess.run(
                envHelper, ["store"],
                input: #"{"ServerURL":"r3.example","Username":"u3","Secret":"\#(Self.secrets[2])"}"#, environment: env))
        record("get missing", try ChildProcess.run(file, ["get"], input: "nothing.example", environment: env))
        // A store whose file became corrupt after secrets were written to it.
        let path = dir.file(".ossb/credentials.json")
        let good = try String(contentsOfFile: path, encoding: .utf8)
        try (good + "garbage").write(toFile: path, atomically: true, encoding: .utf8)
        record("list corrupt", try ChildProcess.run(file, ["list"], input: "", environment: env))
        record("get corrupt", try ChildProcess.run(file, ["get"], input: "r1.example", environment: env))

        for (label, result) in outputs {
            for secret in Self.secrets {
                #expect(!result.stdout.contains(secret), "\(label) printed a secret on stdout")
                #expect(!result.stderr.contains(secret), "\(label) printed a secret on stderr")
            }
        }
        // And the positive control: `get` does return the secret, so the scan above could have found it.
        try good.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(
            try ChildProcess.run(file, ["get"], input: "r1.example", environment: env).stdout.contains(Self.secrets[0]))
        #expect(
            try ChildProcess.run(envHelper, ["get"], input: "r3.example", environment: env).stdout.contains(
                Self.secrets[2]))
    }
}

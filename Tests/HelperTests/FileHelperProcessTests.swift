import Foundation
import Testing

/// docker-credential-ossb-file as a real child process, for every action.
@Suite struct FileHelperProcessTests {
    let dir = TemporaryDirectory()
    var env: [String: String] { ["HOME": dir.path] }
    let helper = ChildProcess.product("docker-credential-ossb-file")

    func run(_ args: [String], _ input: String = "") throws -> ChildProcess.Result {
        try ChildProcess.run(helper, args, input: input, environment: env)
    }

    @Test func fullRoundTripUnderHome() throws {
        let stored = try run(["store"], #"{"ServerURL":"127.0.0.1:5000","Username":"alice","Secret":"s3cr3t"}"# + "\n")
        #expect(stored.status == 0 && stored.stdout.isEmpty && stored.stderr.isEmpty, "\(stored)")
        #expect(dir.exists(".ossb/credentials.json"))

        let got = try run(["get"], "127.0.0.1:5000\n")
        #expect(got.status == 0)
        #expect(got.stdout == #"{"ServerURL":"127.0.0.1:5000","Username":"alice","Secret":"s3cr3t"}"# + "\n")

        let listed = try run(["list"], "unused")
        #expect(listed.stdout == #"{"127.0.0.1:5000":"alice"}"# + "\n")

        #expect(try run(["erase"], "127.0.0.1:5000").status == 0)
        let gone = try run(["get"], "127.0.0.1:5000")
        #expect(gone.status == 1)
        #expect(gone.stdout == "credentials not found in native keychain\n")
        #expect(try run(["list"]).stdout == "{}\n")
    }

    /// Go's helpers decode the first JSON value of `store`'s input and ignore the rest; clients that send a
    /// newline, CRLF or more data after the object must work here too.
    @Test(arguments: ["\r\n\n  \t", "\n{\"ServerURL\":\"other\"}", " trailing words\n"])
    func storeIgnoresWhatFollowsTheObject(tail: String) throws {
        let stored = try run(["store"], #"{"ServerURL":"r.example","Username":"u","Secret":"p"}"# + tail)
        #expect(stored.status == 0 && stored.stdout.isEmpty, "\(stored)")
        #expect(
            try run(["get"], "r.example").stdout == #"{"ServerURL":"r.example","Username":"u","Secret":"p"}"# + "\n")
        #expect(try run(["get"], "other").status == 1)
    }

    @Test func credentialsFileVariableOverridesHome() throws {
        let custom = dir.file("elsewhere/creds.json")
        let result = try ChildProcess.run(
            helper, ["store"], input: #"{"ServerURL":"r.example","Username":"u","Secret":"p"}"#,
            environment: ["HOME": dir.path, "OSSB_CREDENTIALS_FILE": custom])
        #expect(result.status == 0)
        #expect(FileManager.default.fileExists(atPath: custom))
        #expect(!dir.exists(".ossb/credentials.json"))
    }

    @Test func dockerHubSpellingsAreOneRegistry() throws {
        _ = try run(["store"], #"{"ServerURL":"https://index.docker.io/v1/","Username":"hub","Secret":"p"}"#)
        for spelling in ["docker.io", "index.docker.io", "registry-1.docker.io", "https://index.docker.io/v1/"] {
            let got = try run(["get"], spelling)
            #expect(got.status == 0, "\(spelling): \(got)")
            #expect(got.stdout.hasPrefix("{\"ServerURL\":\"\(spelling.replacingOccurrences(of: "/", with: "/"))\""))
        }
    }

    @Test func identityTokenIsEncodedAsGoEncodesIt() throws {
        _ = try run(["store"], #"{"ServerURL":"r.example","Username":"<token>","Secret":"refresh"}"#)
        #expect(
            try run(["get"], "r.example").stdout
                == #"{"ServerURL":"r.example","Username":"\u003ctoken\u003e","Secret":"refresh"}"# + "\n")
    }

    @Test func versionAndHelp() throws {
        let version = try run(["version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("docker-credential-ossb-file (ossb-registry) "))
        #expect(try run(["--version"]).stdout == version.stdout)
        #expect(try run(["-v"]).stdout == version.stdout)
        let help = try run(["--help"])
        #expect(
            help
                == .init(
                    stdout: "Usage: docker-credential-ossb-file <store|get|erase|list|version>\n", stderr: "", status: 0
                ))
    }

    @Test func worksWithoutHomeWhenFileIsNamed() throws {
        let result = try ChildProcess.run(
            helper, ["list"], input: "", environment: ["OSSB_CREDENTIALS_FILE": dir.file("c.json")])
        #expect(result.stdout == "{}\n")
        let noHome = try ChildProcess.run(helper, ["list"], input: "", environment: [:])
        #expect(noHome.status == 1)
        #expect(noHome.stdout == "cannot locate the credentials file: set HOME or OSSB_CREDENTIALS_FILE\n")
    }
}

extension ChildProcess.Result: Equatable {
    static func == (a: Self, b: Self) -> Bool { a.stdout == b.stdout && a.stderr == b.stderr && a.status == b.status }
}

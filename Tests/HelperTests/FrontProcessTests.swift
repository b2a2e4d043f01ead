import Foundation
import Testing

/// docker-credential-ossb as a real child process: discovery, writes, list, recursion, bad configuration.
@Suite struct FrontProcessTests {
    let home = TemporaryDirectory()
    let front = ChildProcess.product("docker-credential-ossb")

    /// A private environment with no session bus, so `auto` decides for the file backend at once.
    func env(_ extra: [String: String] = [:]) -> [String: String] {
        TestBed.clientEnvironment(home: home.path, extra: extra)
    }

    @Test func storeGoesToTheFileWithoutABusAndGetFindsIt() throws {
        let stored = try ChildProcess.run(
            front, ["store"], input: #"{"ServerURL":"r.example.com","Username":"u","Secret":"p1"}"#, environment: env())
        #expect(stored.status == 0, "\(stored)")
        #expect(try home.read(".ossb/credentials.json").contains("\"r.example.com\""))
        let got = try ChildProcess.run(front, ["get"], input: "r.example.com", environment: env())
        #expect(got.stdout == #"{"ServerURL":"r.example.com","Username":"u","Secret":"p1"}"# + "\n")
        #expect(try ChildProcess.run(front, ["erase"], input: "r.example.com", environment: env()).status == 0)
        #expect(
            try ChildProcess.run(front, ["get"], input: "r.example.com", environment: env()).stdout
                == "credentials not found in native keychain\n")
    }

    /// With only `DISPLAY` set, GLib can still reach a bus by X11 autolaunch, so `auto` must ask the keyring
    /// helper (which tries, and here fails for want of an X server) instead of deciding for the file unasked.
    @Test func displayAloneMakesAutoAskTheKeyring() throws {
        let stored = try ChildProcess.run(
            front, ["store"], input: #"{"ServerURL":"display.example.com","Username":"u","Secret":"display-pw"}"#,
            environment: env(["DISPLAY": ":79"]), timeout: 30)
        #expect(stored.status == 0, "\(stored)")
        #expect(stored.stderr.contains("keyring unavailable: "), "the keyring helper was asked: \(stored)")
        #expect(stored.stderr.contains("; storing in the file backend instead\n"), "\(stored)")
        #expect(try home.read(".ossb/credentials.json").contains("\"display.example.com\""))
    }

    @Test func credentialStoreFileIsHonoured() throws {
        try home.write(".ossb/registry.json", #"{"credential_store": "file"}"#)
        let stored = try ChildProcess.run(
            front, ["store"], input: #"{"ServerURL":"r.example.com","Username":"u","Secret":"p"}"#,
            environment: env(["DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"]))
        #expect(stored.status == 0)
        #expect(home.exists(".ossb/credentials.json"))
    }

    @Test func getReadsEverySource() throws {
        try home.write(
            ".ossb/registry.json",
            #"{"registries": {"reg.example.com": {"username": "from-registry-json", "password": "a"}}}"#)
        try home.write(
            ".docker/config.json",
            #"{"credsStore": "ossb", "auths": {"dock.example.com": {"auth": "\#(Data("from-docker:b".utf8).base64EncodedString())"}}}"#
        )
        let e = env(["ENV_EXAMPLE_COM_USERNAME": "from-env", "ENV_EXAMPLE_COM_PASSWORD": "c"])
        for (server, user) in [
            ("reg.example.com", "from-registry-json"), ("dock.example.com", "from-docker"),
            ("env.example.com", "from-env"),
        ] {
            let got = try ChildProcess.run(front, ["get"], input: server, environment: e)
            #expect(got.stdout.contains(#""Username":"\#(user)""#), "\(server): \(got)")
        }
    }

    @Test func credsStoreOssbWithNoCredentialAnswersNotFoundPromptly() throws {
        try home.write(".docker/config.json", #"{"credsStore": "ossb", "credHelpers": {"x.example.com": "ossb"}}"#)
        for server in ["nothing.example.com", "x.example.com"] {
            let result = try ChildProcess.run(front, ["get"], input: server, environment: env(), timeout: 10)
            #expect(result == .init(stdout: "credentials not found in native keychain\n", stderr: "", status: 1))
        }
    }

    @Test func aChainOfHelpersBackToTheFrontTerminates() throws {
        // docker-credential-loop runs the front again; the front's docker source runs "loop"...
        let bin = TemporaryDirectory()
        let loop = bin.file("docker-credential-loop")
        try "#!/bin/sh\nexec '\(front)' \"$@\"\n".write(toFile: loop, atomically: true, encoding: .utf8)
        chmod(loop, 0o755)
        try home.write(".docker/config.json", #"{"credsStore": "loop"}"#)
        var e = env()
        e["PATH"] = "\(bin.path):\(e["PATH"]!)"
        let result = try ChildProcess.run(front, ["get"], input: "r.example.com", environment: e, timeout: 20)
        #expect(result.status == 1)
        #expect(result.stdout == "credentials not found in native keychain\n")
    }

    @Test func explanationGoesToStderrWithoutSecrets() throws {
        _ = try ChildProcess.run(
            front, ["store"], input: #"{"ServerURL":"r.example.com","Username":"alice","Secret":"explain-secret-77"}"#,
            environment: env())
        let result = try ChildProcess.run(
            front, ["get"], input: "r.example.com", environment: env(["OSSB_EXPLAIN": "1"]))
        #expect(result.status == 0)
        #expect(result.stderr.contains("ossb: explain: answered by file: username and password for user alice"))
        #expect(result.stderr.contains("ossb: explain: env: no credentials"))
        #expect(!result.stderr.contains("explain-secret-77"))
        #expect(result.stdout.contains("explain-secret-77"))  // the protocol answer itself
    }

    @Test func listIsTheUnionWithoutSecrets() throws {
        _ = try ChildProcess.run(
            front, ["store"], input: #"{"ServerURL":"file.example.com","Username":"fu","Secret":"list-secret-1"}"#,
            environment: env())
        try home.write(
            ".docker/config.json", #"{"auths": {"dock.example.com": {"username": "du", "password": "list-secret-2"}}}"#)
        let result = try ChildProcess.run(
            front, ["list"], input: "",
            environment: env(["ENV_EXAMPLE_COM_USERNAME": "eu", "ENV_EXAMPLE_COM_PASSWORD": "list-secret-3"]))
        #expect(result.stdout == #"{"dock.example.com":"du","env.example.com":"eu","file.example.com":"fu"}"# + "\n")
        #expect(!result.stdout.contains("list-secret") && !result.stderr.contains("list-secret"))
    }

    @Test func malformedFilesGiveOneLineNamingTheFile() throws {
        try home.write(".ossb/registry.json", "{\"credential_sources\": [\"env\", \"nope\"]}")
        let bad = try ChildProcess.run(front, ["get"], input: "r.example.com", environment: env())
        #expect(bad.status == 1)
        #expect(
            bad.stdout
                == "\(home.file(".ossb/registry.json")) \"credential_sources\" names an unknown source \"nope\"; valid names: env, registry, k8s, cloud, keyring, file, docker, containers\n"
        )
        try home.write(".ossb/registry.json", "{}")
        try home.write(".docker/config.json", "{\"auths\": ")
        let badDocker = try ChildProcess.run(front, ["get"], input: "r.example.com", environment: env())
        #expect(badDocker.status == 1)
        #expect(badDocker.stdout.hasPrefix(home.file(".docker/config.json") + " is not valid JSON"))
        #expect(badDocker.stdout.split(separator: "\n").count == 1)
        try home.write(".docker/config.json", "{}")
        try home.write("auth.json", #"{"auths": {"r.example.com": {"auth": 42}}}"#)
        let badAuth = try ChildProcess.run(
            front, ["get"], input: "r.example.com", environment: env(["REGISTRY_AUTH_FILE": home.file("auth.json")]))
        #expect(badAuth.stdout.contains(home.file("auth.json")))
        #expect(badAuth.stdout.contains("is a number, expected a string"))
    }
}

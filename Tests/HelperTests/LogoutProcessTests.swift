import Foundation
import Testing

/// Logout means logout: erase removes every stored entry `get` would have served for the address, and no
/// other, through the file helper, the front, and the real docker CLI and podman running them.
@Suite struct LogoutProcessTests {
    let home = TemporaryDirectory()
    var env: [String: String] { TestBed.clientEnvironment(home: home.path) }
    let file = ChildProcess.product("docker-credential-ossb-file")
    let notFound = "credentials not found in native keychain\n"

    /// A credentials file holding the spellings docker, podman and older docker versions leave behind.
    func writeSpellings() throws {
        func auth(_ user: String) -> String { #"{"auth":"\#(Data("\(user):pw-\(user)".utf8).base64EncodedString())"}"# }
        try home.write(
            ".ossb/credentials.json",
            """
            {"auths": {
              "r.example.com": \(auth("bare")), "https://r.example.com": \(auth("scheme")),
              "https://r.example.com/v1/": \(auth("legacy1")), "http://R.example.com/v2/": \(auth("legacy2")),
              "r.example.com:5000": \(auth("port")), "r-example.com": \(auth("dash")), "r.example.com/team": \(auth("ns")),
              "docker.io": \(auth("podman")), "https://index.docker.io/v1/": \(auth("docker"))
            }}
            """)
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o600], ofItemAtPath: home.file(".ossb/credentials.json"))
    }

    @Test(arguments: ["docker-credential-ossb-file", "docker-credential-ossb"])
    func eraseRemovesEverySpellingGetServesAndNothingElse(helper name: String) throws {
        try writeSpellings()
        let helper = ChildProcess.product(name)
        #expect(try ChildProcess.run(helper, ["erase"], input: "r.example.com", environment: env).status == 0)
        for spelling in [
            "r.example.com", "https://r.example.com/", "https://r.example.com/v1/", "https://r.example.com/v2/",
            "http://r.example.com",
        ] {
            #expect(
                try ChildProcess.run(helper, ["get"], input: spelling, environment: env).stdout == notFound,
                "\(spelling)")
        }
        let left = try ChildProcess.run(file, ["list"], input: "", environment: env)
        #expect(
            left.stdout
                == #"{"docker.io":"podman","https://index.docker.io/v1/":"docker","r-example.com":"dash","r.example.com/team":"ns","r.example.com:5000":"port"}"#
                + "\n", "\(left)")
        #expect(try ChildProcess.run(helper, ["erase"], input: "docker.io", environment: env).status == 0)
        for spelling in ["docker.io", "https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io"] {
            #expect(
                try ChildProcess.run(helper, ["get"], input: spelling, environment: env).stdout == notFound,
                "\(spelling)")
        }
    }

    @Test func fileGetServesDockersLegacyPathKeys() throws {
        try home.write(
            ".ossb/credentials.json",
            #"{"auths": {"https://old.example.com/v2/": {"auth": "\#(Data("old:pw".utf8).base64EncodedString())"}}}"#)
        let got = try ChildProcess.run(file, ["get"], input: "old.example.com", environment: env)
        #expect(got.stdout == #"{"ServerURL":"old.example.com","Username":"old","Secret":"pw"}"# + "\n")
    }

    @Test func storeRefusesWhatItCannotGiveBack() throws {
        let colon = try ChildProcess.run(
            file, ["store"], input: #"{"ServerURL":"r.example.com","Username":"a:b","Secret":"p"}"#, environment: env)
        #expect(colon.status == 1 && colon.stdout.contains("user name containing \":\""), "\(colon)")
        for helper in ["docker-credential-ossb-file", "docker-credential-ossb", "docker-credential-ossb-env"] {
            for input in [
                #"{"ServerURL":"r.example.com\u0000evil","Username":"u","Secret":"p"}"#,
                #"{"ServerURL":"r.example.com","Username":"u\u001b[31m","Secret":"p"}"#,
            ] {
                let result = try ChildProcess.run(
                    ChildProcess.product(helper), ["store"], input: input, environment: env)
                #expect(
                    result.status == 1 && result.stdout.contains("contains a control character"), "\(helper): \(result)"
                )
            }
        }
        #expect(!home.exists(".ossb/credentials.json"))
    }

    @Test func emptySecretIsStoredAndReturnedByTheFileHelper() throws {
        let stored = try ChildProcess.run(
            file, ["store"], input: #"{"ServerURL":"e.example.com","Username":"u","Secret":""}"#, environment: env)
        #expect(stored.status == 0)
        #expect(
            try ChildProcess.run(file, ["get"], input: "e.example.com", environment: env).stdout
                == #"{"ServerURL":"e.example.com","Username":"u","Secret":""}"# + "\n")
        let front = try ChildProcess.run(
            ChildProcess.product("docker-credential-ossb"), ["store"],
            input: #"{"ServerURL":"f.example.com","Username":"u","Secret":""}"#, environment: env)
        #expect(
            front.status == 1 && front.stdout.contains("Secret is empty"),
            "the front refuses what discovery would not use: \(front)")
    }

    @Test(.enabled(if: TestBed.hasDockerCLI, "the docker CLI is not installed on this machine"))
    func dockerLogoutLeavesNoSpellingOfDockerHub() throws {
        try writeSpellings()
        try home.write(".docker/config.json", #"{"credsStore": "ossb-file"}"#)
        let docker = try #require(TestBed.which("docker"))
        let logout = try ChildProcess.run(docker, ["logout"], input: "", environment: env)
        #expect(logout.status == 0, "\(logout)")
        for spelling in ["docker.io", "https://index.docker.io/v1/"] {
            #expect(
                try ChildProcess.run(file, ["get"], input: spelling, environment: env).stdout == notFound, "\(spelling)"
            )
        }
        let dotted = try ChildProcess.run(docker, ["logout", "r.example.com"], input: "", environment: env)
        #expect(dotted.status == 0, "\(dotted)")
        #expect(
            try ChildProcess.run(file, ["get"], input: "https://r.example.com/v1/", environment: env).stdout == notFound
        )
    }

    @Test(.enabled(if: TestBed.which("podman") != nil, "podman is not installed"))
    func podmanLogoutDockerIORemovesDockersKey() throws {
        try writeSpellings()
        try home.write("auth.json", #"{"credHelpers": {"docker.io": "ossb-file"}}"#)
        let podman = try #require(TestBed.which("podman"))
        var e = env
        e["REGISTRY_AUTH_FILE"] = home.file("auth.json")
        e["XDG_RUNTIME_DIR"] = home.file("run")
        try FileManager.default.createDirectory(atPath: home.file("run"), withIntermediateDirectories: true)
        let logout = try ChildProcess.run(
            podman, ["logout", "--authfile", home.file("auth.json"), "docker.io"], input: "", environment: e)
        #expect(logout.status == 0, "\(logout)")
        for spelling in ["docker.io", "https://index.docker.io/v1/"] {
            #expect(
                try ChildProcess.run(file, ["get"], input: spelling, environment: env).stdout == notFound, "\(spelling)"
            )
        }
    }

    @Test(.enabled(if: TestBed.which("skopeo") != nil, "skopeo is not installed"))
    func skopeoLogoutRemovesEverySpellingOfTheRegistry() throws {
        try writeSpellings()
        try home.write("auth.json", #"{"credHelpers": {"r.example.com": "ossb-file"}}"#)
        let skopeo = try #require(TestBed.which("skopeo"))
        let logout = try ChildProcess.run(
            skopeo, ["logout", "--authfile", home.file("auth.json"), "r.example.com"], input: "", environment: env)
        #expect(logout.status == 0, "\(logout)")
        for spelling in ["r.example.com", "https://r.example.com", "https://r.example.com/v1/"] {
            #expect(
                try ChildProcess.run(file, ["get"], input: spelling, environment: env).stdout == notFound, "\(spelling)"
            )
        }
        #expect(
            try ChildProcess.run(file, ["get"], input: "r.example.com:5000", environment: env).status == 0,
            "another port is another registry")
    }
}

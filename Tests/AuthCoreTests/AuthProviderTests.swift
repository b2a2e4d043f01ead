import Foundation
import Synchronization
import Testing

@testable import AuthCore

/// Collects explanation and warning lines.
final class Lines: Sendable {
    private let storage = Mutex<[String]>([])
    var all: [String] { storage.withLock { $0 } }
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var sink: @Sendable (String) -> Void { { self.append($0) } }
}

/// Discovery against real files in temporary directories and real helper executables.
@Suite struct AuthProviderTests {
    let home = TemporaryDirectory()
    let bin = TemporaryDirectory()

    func environment(_ extra: [String: String] = [:]) -> Environment {
        var variables = ["HOME": home.path, "PATH": "\(bin.path):/usr/bin:/bin"]
        variables.merge(extra) { $1 }
        return Environment(variables)
    }

    func provider(_ extra: [String: String] = [:], config: String? = nil, explain: Lines? = nil, warn: Lines? = nil)
        throws -> AuthProvider
    {
        if let config { try home.write(".ossb/registry.json", config) }
        let explainSink: (@Sendable (String) -> Void)? = explain?.sink
        let warnSink: @Sendable (String) -> Void = warn.map { $0.sink } ?? Lines().sink
        return try AuthProvider(environment: environment(extra), explain: explainSink, warn: warnSink)
    }

    func storeInFile(_ server: String, _ user: String, _ secret: String) throws {
        try FileStore(path: home.file(".ossb/credentials.json")).store(
            HelperCredential(serverURL: server, username: user, secret: secret))
    }

    @Test func firstSourceInDefaultOrderWins() throws {
        try storeInFile("r.example.com", "from-file", "f")
        try home.write(
            ".ossb/registry.json", #"{"registries": {"r.example.com": {"username": "from-registry", "password": "r"}}}"#
        )
        try home.write(
            ".docker/config.json", #"{"auths": {"r.example.com": {"username": "from-docker", "password": "d"}}}"#)
        let env = ["R_EXAMPLE_COM_USERNAME": "from-env", "R_EXAMPLE_COM_PASSWORD": "e"]
        #expect(try provider(env).discover("r.example.com")?.source == "env")
        #expect(try provider().discover("r.example.com")?.credentials.username == "from-registry")
        try home.write(".ossb/registry.json", "{}")
        #expect(try provider().discover("r.example.com")?.source == "file")
        try FileStore(path: home.file(".ossb/credentials.json")).erase("r.example.com")
        #expect(try provider().discoverCredentials(registry: "r.example.com")?.username == "from-docker")
    }

    @Test func configuredOrderIsHonouredAndUnlistedSourcesAreNotConsulted() throws {
        try storeInFile("r.example.com", "from-file", "f")
        let env = ["R_EXAMPLE_COM_USERNAME": "from-env", "R_EXAMPLE_COM_PASSWORD": "e"]
        let fileFirst = try provider(env, config: #"{"credential_sources": ["file", "env"]}"#)
        #expect(try fileFirst.discover("r.example.com")?.source == "file")
        let onlyDocker = try provider(env, config: #"{"credential_sources": ["docker"]}"#)
        #expect(try onlyDocker.discover("r.example.com") == nil)
    }

    @Test func registryTokenFromRegistryJSON() throws {
        let p = try provider(config: #"{"registries": {"registry.example.com": {"token": "bearer-xyz"}}}"#)
        let found = try #require(try p.discover("registry.example.com"))
        #expect(found.credentials.registryToken == "bearer-xyz")
        // The front cannot carry a registry token, so with a filter the search goes on (and finds nothing).
        #expect(try p.discover("registry.example.com", accept: { $0.registryToken.isEmpty }) == nil)
    }

    @Test func dockerConfigShapes() throws {
        let auth = Data("hubuser:hubpass".utf8).base64EncodedString()
        try home.write(
            ".docker/config.json",
            """
            {"auths": {
              "https://index.docker.io/v1/": {"auth": "\(auth)"},
              "id.example.com": {"identitytoken": "refresh-123"},
              "tok.example.com": {"registrytoken": "bearer-456"},
              "https://split.example.com/v2/": {"username": "su", "password": "sp"},
              "empty.example.com": {}
            }}
            """)
        let p = try provider()
        #expect(try p.discover("docker.io")?.credentials == Credentials(username: "hubuser", password: "hubpass"))
        #expect(try p.discover("https://index.docker.io/v1/")?.credentials.username == "hubuser")
        #expect(try p.discover("id.example.com")?.credentials.identityToken == "refresh-123")
        #expect(try p.discover("tok.example.com")?.credentials.registryToken == "bearer-456")
        #expect(try p.discover("split.example.com")?.credentials.password == "sp")
        #expect(try p.discover("empty.example.com") == nil)
    }

    @Test func dockerConfigDirectoryAndAuthConfigVariable() throws {
        try bin.write(
            "dc/config.json", #"{"auths": {"r.example.com": {"username": "from-DOCKER_CONFIG", "password": "x"}}}"#)
        let p = try provider(["DOCKER_CONFIG": bin.file("dc")])
        #expect(try p.discover("r.example.com")?.credentials.username == "from-DOCKER_CONFIG")
        let inline = #"{"auths": {"r.example.com": {"username": "from-variable", "password": "y"}}}"#
        let q = try provider(["DOCKER_CONFIG": bin.file("dc"), "DOCKER_AUTH_CONFIG": inline])
        #expect(try q.discover("r.example.com")?.credentials.username == "from-variable")
    }

    @Test func credHelpersAndCredsStoreRunRealHelpers() throws {
        let specific = try ScriptedHelper(
            in: bin, name: "specific", answers: ["r.example.com": ("helper-user", "helper-secret")])
        let general = try ScriptedHelper(
            in: bin, name: "general", answers: ["https://index.docker.io/v1/": ("hub-user", "hub-secret")])
        try home.write(
            ".docker/config.json",
            #"{"credsStore": "general", "credHelpers": {"r.example.com": "specific"}, "auths": {"r.example.com": {}}}"#)
        let p = try provider()
        #expect(
            try p.discover("r.example.com")?.credentials
                == Credentials(username: "helper-user", password: "helper-secret"))
        #expect(specific.calls.count == 1)
        #expect(general.calls.isEmpty, "credHelpers overrides credsStore for its host")
        // Docker Hub is asked under docker's key.
        #expect(try p.discover("docker.io")?.credentials.username == "hub-user")
        #expect(general.calls.first?.hasPrefix("get https://index.docker.io/v1/") == true)
        // Helpers run by discovery carry the chain marker.
        #expect(specific.calls.first?.hasSuffix("chain=1") == true)
    }

    @Test func missingHelperIsNotedAndSkipped() throws {
        try home.write(
            ".docker/config.json",
            #"{"credsStore": "desktop", "auths": {"r.example.com": {"username": "u", "password": "p"}}}"#)
        let warnings = Lines()
        let found = try provider(warn: warnings).discover("r.example.com")
        #expect(found?.credentials.username == "u")
        // One sentence that says what to do (it read "names docker-credential-desktop is not installed").
        #expect(
            warnings.all.contains {
                $0.hasSuffix(
                    "config.json names docker-credential-desktop, which is not installed (not found on PATH); install it, or remove it from that file"
                )
            }, "\(warnings.all)")
    }

    @Test func failingHelperStopsTheSearchWithItsNameAndNoSecret() throws {
        _ = try ScriptedHelper(in: bin, name: "broken", behaviour: "fail")
        try home.write(".docker/config.json", #"{"credsStore": "broken"}"#)
        do {
            _ = try provider().discover("r.example.com")
            Issue.record("expected a failure")
        } catch let error as HelperClientError {
            #expect(error.description.hasPrefix("docker-credential-broken failed to get (exit status 1)"))
        }
        // A store that fails must not echo the secret it was sent.
        let client = try HelperClient(name: "broken", environment: environment())
        do {
            try client.store(
                HelperCredential(serverURL: "r.example.com", username: "u", secret: "r.example.com-is-not-secret"))
        } catch {
            #expect(!error.localizedDescription.isEmpty)
        }
        _ = try ScriptedHelper(
            in: bin, name: "echoer", behaviour: "fail", extraScript: #"echo "leaked: $input"; exit 1"#)
        let echoer = try HelperClient(name: "echoer", environment: environment())
        do {
            try echoer.store(HelperCredential(serverURL: "r", username: "u", secret: "top-secret-value"))
            Issue.record("expected a failure")
        } catch {
            #expect(!"\(error)".contains("top-secret-value"), "\(error)")
            #expect("\(error)".contains("<redacted>"))
        }
    }

    @Test func hungHelperIsStoppedAtTheTimeout() throws {
        _ = try ScriptedHelper(in: bin, name: "hung", behaviour: "hang")
        try home.write(".docker/config.json", #"{"credsStore": "hung"}"#)
        let started = Date()
        do {
            _ = try provider(["OSSB_HELPER_TIMEOUT": "1"]).discover("r.example.com")
            Issue.record("expected a timeout")
        } catch let error as HelperClientError {
            #expect(error.timedOut)
            #expect(error.description.contains("did not answer get within 1 s"))
        }
        #expect(Date().timeIntervalSince(started) < 20, "the hung helper must be killed, not waited for")
    }

    @Test func credentialHelpersPatternServesItsRegistriesAlone() throws {
        let ecr = try ScriptedHelper(
            in: bin, name: "fake-ecr", answers: ["123.dkr.ecr.eu-west-1.amazonaws.com": ("AWS", "ecr-token")])
        let config = #"{"credential_helpers": {"*.dkr.ecr.*.amazonaws.com": "fake-ecr"}}"#
        let env = [
            "OSSB_123_DKR_ECR_EU_WEST_1_AMAZONAWS_COM_USERNAME": "env-user",
            "OSSB_123_DKR_ECR_EU_WEST_1_AMAZONAWS_COM_PASSWORD": "x",
        ]
        let p = try provider(env, config: config)
        let found = try #require(try p.discover("123.dkr.ecr.eu-west-1.amazonaws.com"))
        #expect(found.credentials.username == "AWS")
        #expect(found.source == "docker-credential-fake-ecr")
        // Another registry never runs it.
        try storeInFile("quay.io", "q", "q")
        #expect(try p.discover("quay.io")?.source == "file")
        #expect(ecr.calls.count == 1)
    }

    @Test func containersAuthFilesWithNamespacedKeys() throws {
        try bin.write(
            "auth.json",
            """
            {"auths": {
              "r.example.com": {"auth": "\(Data("host-user:1".utf8).base64EncodedString())"},
              "r.example.com/team": {"auth": "\(Data("team-user:2".utf8).base64EncodedString())"},
              "r.example.com/team/app": {"auth": "\(Data("app-user:3".utf8).base64EncodedString())"}
            }}
            """)
        let p = try provider(["REGISTRY_AUTH_FILE": bin.file("auth.json")])
        #expect(try p.discover("r.example.com", repository: "team/app")?.credentials.username == "app-user")
        #expect(try p.discover("r.example.com", repository: "team/other")?.credentials.username == "team-user")
        #expect(try p.discover("r.example.com", repository: "solo/x")?.credentials.username == "host-user")
        #expect(try p.discover("r.example.com")?.credentials.username == "host-user")
    }

    @Test func containersRuntimeAuthFile() throws {
        try bin.write(
            "runtime/containers/auth.json",
            #"{"auths": {"docker.io": {"auth": "\#(Data("pod:man".utf8).base64EncodedString())"}}}"#)
        let p = try provider(["XDG_RUNTIME_DIR": bin.file("runtime")])
        #expect(try p.discover("https://index.docker.io/v1/")?.credentials.username == "pod")
    }

    @Test func malformedFilesStopTheSearchNamingTheFile() throws {
        try home.write(".docker/config.json", #"{"auths": {"r.example.com": "#)
        do {
            _ = try provider().discover("r.example.com")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains(home.file(".docker/config.json")))
            #expect("\(error)".contains("is not valid JSON"))
        }
        // A source earlier in the order still answers first.
        let found = try provider(["R_EXAMPLE_COM_USERNAME": "u", "R_EXAMPLE_COM_PASSWORD": "p"]).discover(
            "r.example.com")
        #expect(found?.source == "env")
        try home.write(".ossb/registry.json", "{oops")
        #expect(throws: ConfigurationError.self) { try AuthProvider(environment: environment()) }
    }

    @Test func explanationListsSourcesInOrderWithoutSecrets() throws {
        try storeInFile("r.example.com", "alice", "very-secret-pw")
        let lines = Lines()
        _ = try provider(explain: lines).discover("r.example.com")
        let text = lines.all.joined(separator: "\n")
        #expect(!text.contains("very-secret-pw"))
        let order = ["env:", "registry (", "keyring", "answered by file"]
        var position = text.startIndex
        for marker in order {
            let found = try #require(text[position...].range(of: marker), "missing \(marker) in\n\(text)")
            position = found.upperBound
        }
        #expect(text.contains("for user alice"))
    }

    @Test func insideAHelperChainNoExternalHelperRuns() throws {
        let general = try ScriptedHelper(in: bin, name: "general", answers: ["r.example.com": ("u", "p")])
        try home.write(".docker/config.json", #"{"credsStore": "general"}"#)
        #expect(try provider(["OSSB_HELPER_CHAIN": "1"]).discover("r.example.com") == nil)
        #expect(general.calls.isEmpty)
        #expect(try provider().discover("r.example.com") != nil)
    }

    @Test func listIsTheUnionWithoutSecrets() throws {
        try storeInFile("file.example.com", "fu", "file-secret")
        try home.write(
            ".docker/config.json",
            #"{"auths": {"docker.example.com": {"username": "du", "password": "docker-secret"}, "file.example.com": {"username": "shadowed", "password": "x"}}}"#
        )
        let listed = try provider(["ENV_EXAMPLE_COM_USERNAME": "eu", "ENV_EXAMPLE_COM_PASSWORD": "env-secret"])
            .listAll()
        #expect(listed == ["env.example.com": "eu", "file.example.com": "fu", "docker.example.com": "du"])
    }
}

import Synchronization
import Testing

@testable import AuthCore

@Suite struct EnvironmentStoreTests {
    @Test func prefixesFollowTheConvention() {
        #expect(EnvironmentStore.prefix(forHost: "registry.example.com") == "REGISTRY_EXAMPLE_COM")
        #expect(EnvironmentStore.prefix(forHost: "127.0.0.1:5000") == "127_0_0_1_5000")
        #expect(
            EnvironmentStore.shortFormSpells("registry.example.com")
                && EnvironmentStore.shortFormSpells("127.0.0.1:5000"))
        #expect(
            !EnvironmentStore.shortFormSpells("registry-example.com") && !EnvironmentStore.shortFormSpells("[::1]:5000")
        )
    }

    @Test func dockerHubFromOriginalDesignVariables() throws {
        let store = EnvironmentStore(environment: Environment(["DOCKER_USERNAME": "me", "DOCKER_PASSWORD": "pw"]))
        let fromDocker = try #require(try store.get("https://index.docker.io/v1/"))
        #expect(fromDocker == HelperCredential(serverURL: "https://index.docker.io/v1/", username: "me", secret: "pw"))
        #expect(try store.get("docker.io")?.serverURL == "docker.io")
        #expect(try store.get("quay.io") == nil)
    }

    @Test func privateRegistryAndOSSBPrefixWins() throws {
        let store = EnvironmentStore(
            environment: Environment([
                "REGISTRY_EXAMPLE_COM_USERNAME": "user", "REGISTRY_EXAMPLE_COM_PASSWORD": "pass",
                "OSSB_127_0_0_1_5000_USERNAME": "local", "OSSB_127_0_0_1_5000_PASSWORD": "lpw",
                "127_0_0_1_5000_USERNAME": "shadowed", "127_0_0_1_5000_PASSWORD": "x",
            ]))
        #expect(try store.get("https://registry.example.com/")?.username == "user")
        #expect(try store.get("127.0.0.1:5000")?.username == "local")
    }

    @Test func identityTokenWinsAndTravelsAsTokenUsername() throws {
        let store = EnvironmentStore(
            environment: Environment([
                "R_EXAMPLE_COM_IDENTITY_TOKEN": "refresh", "R_EXAMPLE_COM_USERNAME": "u", "R_EXAMPLE_COM_PASSWORD": "p",
            ]))
        let credential = try #require(try store.get("r.example.com"))
        #expect(credential.username == "<token>")
        #expect(credential.secret == "refresh")
        #expect(credential.credentials.identityToken == "refresh")
    }

    @Test func incompleteCredentialsAreIgnored() throws {
        let store = EnvironmentStore(
            environment: Environment(["R_EXAMPLE_COM_USERNAME": "u", "R_EXAMPLE_COM_PASSWORD": ""]))
        #expect(try store.get("r.example.com") == nil)
        #expect(try store.list().isEmpty)
    }

    @Test func listRebuildsHostsAndSkipsUnrelatedVariables() throws {
        let store = EnvironmentStore(
            environment: Environment([
                "DOCKER_USERNAME": "hub", "DOCKER_PASSWORD": "s1",
                "OSSB_127_0_0_1_5000_USERNAME": "local", "OSSB_127_0_0_1_5000_PASSWORD": "s2",
                "GHCR_IO_IDENTITY_TOKEN": "s3",
                "GIT_USERNAME": "noise", "GIT_PASSWORD": "s4",
                "LOCALHOST_8080_USERNAME": "lh", "LOCALHOST_8080_PASSWORD": "s5",
            ]))
        let listed = try store.list()
        #expect(
            listed == [
                "https://index.docker.io/v1/": "hub", "127.0.0.1:5000": "local", "ghcr.io": "<token>",
                "localhost:8080": "lh",
            ])
        #expect(!listed.values.contains { $0.hasPrefix("s") && $0.count == 2 })
    }

    /// The environment is read-only: `store` and `erase` must throw the read-only error (docs/helpers.md), never
    /// quietly succeed, since a caller that thinks a credential was erased would go on trusting that.
    @Test func storeAndEraseAreRefusedWithAHint() throws {
        let store = EnvironmentStore(
            environment: Environment(["R_EXAMPLE_COM_USERNAME": "u", "R_EXAMPLE_COM_PASSWORD": "p"]))
        let stored = #expect(throws: CredentialStoreError.self) {
            try store.store(HelperCredential(serverURL: "r.example.com", username: "u", secret: "p"))
        }
        #expect(stored?.kind == .readOnly)
        #expect(
            stored?.message.hasPrefix(
                "the env credential store is read-only and cannot store credentials; set OSSB_R_EXAMPLE_COM_USERNAME")
                == true)
        let erased = #expect(throws: CredentialStoreError.self) { try store.erase("r.example.com") }
        #expect(erased?.kind == .readOnly)
        #expect(
            erased?.message
                == "the env credential store is read-only and cannot erase credentials; unset the variables instead")
        // Refusing changed nothing: the credential is still served.
        #expect(try store.get("r.example.com")?.username == "u")
    }
}

/// A variable set serves exactly one host: look-alike hosts whose names fold to the same variables get nothing.
@Suite struct EnvironmentStoreLookalikeTests {
    let variables = [
        "REGISTRY_GITLAB_COM_USERNAME": "gl", "REGISTRY_GITLAB_COM_PASSWORD": "gitlab-secret-1",
        "OSSB_127_0_0_1_5000_USERNAME": "local", "OSSB_127_0_0_1_5000_PASSWORD": "local-secret-2",
    ]

    @Test(arguments: [
        "registry-gitlab.com", "registry.gitlab-com", "registry_gitlab.com", "https://registry-gitlab.com/v2/",
    ])
    func lookalikeGetsNothingAndAHint(host: String) throws {
        let notes = NoteCollector()
        let store = EnvironmentStore(environment: Environment(variables), warn: notes.add)
        #expect(try store.get(host) == nil)
        let note = try #require(notes.lines.first)
        #expect(note.contains("REGISTRY_GITLAB_COM_* serve registry.gitlab.com"))
        #expect(note.contains("OSSB_REGISTRY_<NAME>_HOST=\(ServerAddress.host(of: host))"))
        #expect(!note.contains("gitlab-secret-1"))
        #expect(try store.get("registry.gitlab.com")?.secret == "gitlab-secret-1")
    }

    @Test func portsAndAddressesAreSpelledExactly() throws {
        let store = EnvironmentStore(environment: Environment(variables))
        #expect(try store.get("127.0.0.1:5000")?.secret == "local-secret-2")
        for other in ["127.0.0.1:50", "127.0.0.1", "127.0.0.15:000", "127-0.0.1:5000"] {
            #expect(try store.get(other) == nil, "\(other)")
        }
        #expect(EnvironmentStore.host(fromPrefix: "10_0_0_1") == "10.0.0.1")
        #expect(EnvironmentStore.host(fromPrefix: "10_0_0_1_443") == "10.0.0.1:443")
        #expect(EnvironmentStore.host(fromPrefix: "1_2_3") == nil)
        #expect(EnvironmentStore.host(fromPrefix: "REGISTRY_EXAMPLE_COM_5000") == "registry.example.com:5000")
        #expect(EnvironmentStore.host(fromPrefix: "REG_99999") == nil)
    }

    @Test func explicitBindingServesItsHostOnly() throws {
        let store = EnvironmentStore(
            environment: Environment([
                "OSSB_REGISTRY_GL_HOST": "registry-gitlab.com", "OSSB_REGISTRY_GL_USERNAME": "dash",
                "OSSB_REGISTRY_GL_PASSWORD": "dash-secret",
                "OSSB_REGISTRY_V6_HOST": "[::1]:5000", "OSSB_REGISTRY_V6_IDENTITY_TOKEN": "v6-token",
            ]))
        #expect(try store.get("https://registry-gitlab.com")?.username == "dash")
        #expect(try store.get("registry.gitlab.com") == nil)
        #expect(try store.get("registry.gl") == nil, "a bound set is not also the short form of its name")
        #expect(try store.get("[::1]:5000")?.secret == "v6-token")
        #expect(try store.list() == ["registry-gitlab.com": "dash", "[::1]:5000": "<token>"])
    }
}

/// Collects warning lines.
final class NoteCollector: Sendable {
    private let storage = Mutex<[String]>([])
    var lines: [String] { storage.withLock { $0 } }
    var add: @Sendable (String) -> Void { { line in self.storage.withLock { $0.append(line) } } }
}

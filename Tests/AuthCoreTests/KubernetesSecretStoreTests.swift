import Foundation
import KubernetesTestSupport
import Testing

@testable import AuthCore

/// The Kubernetes backend over secret volumes laid out as kubelet mounts them, from kubectl-made fixtures.
@Suite struct KubernetesSecretStoreTests {
    let dir = TemporaryDirectory()

    func store(defaultRegistry: String? = nil) -> KubernetesSecretStore {
        KubernetesSecretStore(directory: dir.path, defaultRegistry: defaultRegistry)
    }

    // MARK: - The kinds of secret

    @Test func dockerConfigJSONSecretAtTheRoot() throws {
        _ = try KubeletMount(at: dir.path, fixture: "dockerconfigjson-regcred.json")
        let got = try #require(try store().get("127.0.0.1:5000"))
        #expect(
            got == HelperCredential(serverURL: "127.0.0.1:5000", username: "k8s-user", secret: "k8s-fixture-secret-1"))
        // The normalised form matches too, and the request is echoed.
        let viaScheme = try #require(try store().get("http://127.0.0.1:5000/"))
        #expect(viaScheme.serverURL == "http://127.0.0.1:5000/" && viaScheme.secret == "k8s-fixture-secret-1")
        #expect(try store().get("127.0.0.1:5001") == nil)
        #expect(try store().list() == ["127.0.0.1:5000": "k8s-user"])
    }

    @Test func dockerHubSecretUnderDockersKeyServesEverySpellingOfDockerHub() throws {
        _ = try KubeletMount(at: dir.path, fixture: "dockerconfigjson-hub.json")
        for address in ["docker.io", "https://index.docker.io/v1/", "registry-1.docker.io"] {
            let got = try #require(try store().get(address), "\(address)")
            #expect(got.username == "hub-k8s" && got.secret == "hub-fixture-secret-2")
        }
    }

    @Test func authsEntriesWithOnlyAuth() throws {
        _ = try KubeletMount(at: dir.path, fixture: "dockerconfigjson-authonly.json")
        #expect(try store().get("ghcr.example.com")?.secret == "ghcr-fixture-secret-6")
        #expect(try store().get("127.0.0.1:5001")?.username == "five-user")
        #expect(try store().list() == ["ghcr.example.com": "ghcr-user", "127.0.0.1:5001": "five-user"])
    }

    @Test func legacyDockercfgSecret() throws {
        _ = try KubeletMount(at: dir.path, fixture: "dockercfg-legacy.json")
        let got = try #require(try store().get("legacy.example.com"))
        #expect(got.username == "legacy-user" && got.secret == "legacy-fixture-secret-8")
        #expect(try store().list() == ["https://legacy.example.com/v1/": "legacy-user"])
    }

    @Test func opaqueSecretWithoutRegistryServesDockerHub() throws {
        _ = try KubeletMount(at: dir.path, fixture: "opaque-default.json")
        let got = try #require(try store().get("https://index.docker.io/v1/"))
        #expect(got.username == "opaque-user" && got.secret == "opaque-fixture-secret-3")
        #expect(try store().get("docker.io") != nil)
        #expect(try store().get("quay.example.com") == nil)
        #expect(try store().list() == ["docker.io": "opaque-user"])
    }

    @Test func opaqueSecretWithoutRegistryServesTheDefaultRegistry() throws {
        _ = try KubeletMount(at: dir.path, fixture: "opaque-default.json")
        let configured = store(defaultRegistry: "registry.example.com")
        #expect(try configured.get("registry.example.com")?.secret == "opaque-fixture-secret-3")
        #expect(try configured.get("docker.io") == nil)
    }

    @Test func opaqueSecretWithRegistryServesOnlyThatRegistry() throws {
        _ = try KubeletMount(at: dir.path, fixture: "opaque-registry.json")
        let configured = store(defaultRegistry: "registry.example.com")
        #expect(try configured.get("https://quay.example.com")?.secret == "quay-fixture-secret-4")
        #expect(try configured.get("registry.example.com") == nil)
        #expect(try configured.get("docker.io") == nil)
    }

    // MARK: - Layouts

    @Test func severalSecretsSideBySide() throws {
        _ = try KubeletMount(at: dir.file("a-regcred"), fixture: "dockerconfigjson-regcred.json")
        _ = try KubeletMount(at: dir.file("b-opaque"), fixture: "opaque-registry.json")
        _ = try KubeletMount(at: dir.file("c-legacy"), fixture: "dockercfg-legacy.json")
        // A directory that holds no secret, and a stray file, are ignored.
        try FileManager.default.createDirectory(atPath: dir.file("lost+found"), withIntermediateDirectories: true)
        try dir.write("README", "not a secret")
        #expect(try store().secrets().map { FileIO.baseName(of: $0.path) } == ["a-regcred", "b-opaque", "c-legacy"])
        #expect(try store().get("127.0.0.1:5000")?.secret == "k8s-fixture-secret-1")
        #expect(try store().get("quay.example.com")?.secret == "quay-fixture-secret-4")
        #expect(try store().get("legacy.example.com")?.secret == "legacy-fixture-secret-8")
        #expect(
            try store().list() == [
                "127.0.0.1:5000": "k8s-user", "quay.example.com": "quay-user",
                "https://legacy.example.com/v1/": "legacy-user",
            ])
    }

    @Test func plainDirectoryOfFilesWithoutDataLinkIsASecret() throws {
        try dir.write("username", "plain-user\n")
        try dir.write("password", "plain-secret\n")
        try dir.write("registry", "127.0.0.1:5000\n")
        // Trailing line breaks (echo > file, kubectl --from-file) are not part of the values.
        #expect(
            try store().get("127.0.0.1:5000")
                == HelperCredential(serverURL: "127.0.0.1:5000", username: "plain-user", secret: "plain-secret"))
    }

    @Test func firstSecretWinsWhenTwoServeTheSameRegistry() throws {
        _ = try KubeletMount(at: dir.file("1"), fixture: "opaque-registry.json")
        _ = try KubeletMount(at: dir.file("2"), fixture: "opaque-registry-rotated.json")
        #expect(try store().get("quay.example.com")?.secret == "quay-fixture-secret-4")
    }

    @Test func exactKeyWinsOverAnEarlierNormalisedMatch() throws {
        _ = try KubeletMount(at: dir.file("1"), fixture: "dockerconfigjson-hub.json")
        _ = try KubeletMount(at: dir.file("2"), fixture: "opaque-default.json")
        #expect(try store().get("docker.io")?.username == "opaque-user")
        #expect(try store().get("https://index.docker.io/v1/")?.username == "hub-k8s")
    }

    @Test func missingDirectoryIsAnEmptyStore() throws {
        let absent = KubernetesSecretStore(directory: dir.file("absent"), defaultRegistry: nil)
        #expect(try absent.get("docker.io") == nil)
        #expect(try absent.list() == [:])
    }

    // MARK: - Rotation

    @Test func rotatedSecretIsSeenByTheNextGet() throws {
        let mount = try KubeletMount(at: dir.path, fixture: "opaque-registry.json")
        let kube = store()
        #expect(try kube.get("quay.example.com")?.secret == "quay-fixture-secret-4")
        try mount.update(fixture: "opaque-registry-rotated.json")
        #expect(try kube.get("quay.example.com")?.secret == "quay-rotated-secret-5")
        // The old version's directory is gone: nothing read it through a cached path.
        let versions = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("..2026") }
        #expect(versions.count == 1)
    }

    @Test func rotationToAnotherKindOfSecretReplacesItsKeys() throws {
        let mount = try KubeletMount(at: dir.path, fixture: "opaque-default.json")
        #expect(try store().list() == ["docker.io": "opaque-user"])
        try mount.update(fixture: "dockerconfigjson-regcred.json")
        #expect(try store().list() == ["127.0.0.1:5000": "k8s-user"])
        #expect(try store().get("docker.io") == nil)
    }

    /// kubelet swaps `..data` and deletes the old version while a reader may be half-way through: every read
    /// must still see one version whole (never one version's username with another's password) and never fail.
    @Test func readsDuringRepeatedRotationSeeOneVersionWhole() throws {
        @Sendable func version(_ n: Int) -> [String: [UInt8]] {
            [
                "username": Array("user-\(n)".utf8), "password": Array("secret-\(n)".utf8),
                "registry": Array("r.example.com".utf8),
            ]
        }
        let mount = try KubeletMount(at: dir.path, files: version(0))
        let rotations = 300
        // Waited for by semaphore, not `isExecuting`: that is also false before a slow-starting thread runs.
        let written = DispatchSemaphore(value: 0)
        let writer = Thread {
            for n in 1...rotations { try? mount.update(files: version(n)) }
            written.signal()
        }
        writer.start()
        let kube = store()
        for _ in 0..<rotations {
            let got = try #require(try kube.get("r.example.com"))
            #expect(
                got.secret == "secret-" + got.username.dropFirst("user-".count),
                "\(got.username) read with another version's password")
        }
        written.wait()
        #expect(try kube.get("r.example.com")?.username == "user-\(rotations)")
    }

    // MARK: - Read-only

    @Test func storeAndEraseAreReadOnly() throws {
        _ = try KubeletMount(at: dir.path, fixture: "opaque-default.json")
        let credential = HelperCredential(serverURL: "docker.io", username: "u", secret: "p")
        #expect(throws: CredentialStoreError.self) { try store().store(credential) }
        do {
            try store().erase("docker.io")
            Issue.record("erase succeeded")
        } catch let error as CredentialStoreError {
            #expect(error.kind == .readOnly)
            #expect(error.message.hasPrefix("the k8s credential store is read-only and cannot erase credentials"))
        }
        // Nothing changed on disk.
        #expect(try store().get("docker.io")?.secret == "opaque-fixture-secret-3")
    }

    @Test func listNeverShowsSecrets() throws {
        _ = try KubeletMount(at: dir.file("a"), fixture: "dockerconfigjson-regcred.json")
        _ = try KubeletMount(at: dir.file("b"), fixture: "opaque-default.json")
        _ = try KubeletMount(at: dir.file("c"), fixture: "dockerconfigjson-authonly.json")
        let listed = "\(try store().list())"
        for secret in [
            "k8s-fixture-secret-1", "opaque-fixture-secret-3", "ghcr-fixture-secret-6", "five-fixture-secret-7",
        ] {
            #expect(!listed.contains(secret))
        }
        #expect(try store().list().count == 4)
    }

    // MARK: - Discovery

    @Test func credentialsForDiscoveryIncludeRegistryTokens() throws {
        let config = #"{"auths":{"tokens.example.com":{"registrytoken":"bearer-secret-9"}}}"#
        _ = try KubeletMount(at: dir.path, files: [".dockerconfigjson": Array(config.utf8)])
        #expect(try store().credentials(for: "tokens.example.com") == Credentials(registryToken: "bearer-secret-9"))
        // The helper protocol cannot carry a registry token.
        #expect(try store().get("tokens.example.com") == nil)
        #expect(try store().list() == [:])
    }

    @Test func isTheK8sSourceOfDiscovery() throws {
        _ = try KubeletMount(at: dir.file("secrets"), fixture: "opaque-default.json")
        var config = RegistryConfig()
        config.defaultRegistry = "registry.example.com"
        config.credentialSources = [.k8s]
        let provider = try AuthProvider(
            config: config, environment: Environment(["OSSB_K8S_SECRETS_DIR": dir.file("secrets")]))
        let found = try #require(try provider.discover("registry.example.com"))
        #expect(found.source == "k8s")
        #expect(found.credentials == Credentials(username: "opaque-user", password: "opaque-fixture-secret-3"))
        #expect(try provider.discover("docker.io") == nil)
        #expect(provider.listAll() == ["registry.example.com": "opaque-user"])
    }
}

import Foundation
import KubernetesTestSupport
import Testing

/// ossb-kubelet-credential-provider as kubelet runs it: the provider's `args`, a CredentialProviderRequest on
/// stdin, the response read from stdout and decoded strictly, field by field.
@Suite struct KubeletProviderProcessTests {
    let plugin = ChildProcess.product("ossb-kubelet-credential-provider")
    let dir = TemporaryDirectory()
    static let v1 = "credentialprovider.kubelet.k8s.io/v1"

    var env: [String: String] { ["OSSB_K8S_SECRETS_DIR": dir.file("secrets"), "HOME": dir.file("home")] }

    /// The request as kubelet encodes it (its codec writes kind, then apiVersion, then the fields, and a newline).
    func request(_ image: String) -> String {
        #"{"kind":"CredentialProviderRequest","apiVersion":"\#(Self.v1)","image":"\#(image)"}"# + "\n"
    }

    /// Decodes the response as kubelet does: every field known, the right types, nothing else.
    func decode(_ result: ChildProcess.Result) throws -> (cacheDuration: String?, auth: [String: [String: String]]) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys).isSubset(of: ["kind", "apiVersion", "cacheKeyType", "cacheDuration", "auth"]))
        #expect(object["kind"] as? String == "CredentialProviderResponse")
        #expect(object["apiVersion"] as? String == Self.v1)
        #expect(object["cacheKeyType"] as? String == "Registry")
        let auth = try #require(object["auth"] as? [String: [String: String]])
        for entry in auth.values { #expect(Set(entry.keys) == ["username", "password"]) }
        return (object["cacheDuration"] as? String, auth)
    }

    @Test func answersFromAMountedSecret() throws {
        _ = try KubeletMount(at: dir.file("secrets/regcred"), fixture: "dockerconfigjson-regcred.json")
        let result = try ChildProcess.run(
            plugin, ["--cache-duration=10m"], input: request("127.0.0.1:5000/team/app:1.0"), environment: env)
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.status) \(result.stderr)")
        let response = try decode(result)
        #expect(response.cacheDuration == "10m0s")
        #expect(response.auth == ["127.0.0.1:5000": ["username": "k8s-user", "password": "k8s-fixture-secret-1"]])
    }

    @Test func dockerHubImageAsKubeletNormalisesIt() throws {
        _ = try KubeletMount(at: dir.file("secrets/registry-secret"), fixture: "opaque-default.json")
        let result = try ChildProcess.run(
            plugin, ["--cache-duration", "90s"], input: request("docker.io/library/nginx"), environment: env)
        let response = try decode(result)
        #expect(response.cacheDuration == "1m30s")
        #expect(response.auth == ["docker.io": ["username": "opaque-user", "password": "opaque-fixture-secret-3"]])
    }

    /// Docker Hub under another of its names: the secret for docker.io serves it, keyed by the name the image
    /// spells (kubelet matches `auth` keys against the image's host); a malformed image is refused.
    @Test func dockerHubUnderItsAPIHostNameAndAMalformedImage() throws {
        _ = try KubeletMount(at: dir.file("secrets/registry-secret"), fixture: "opaque-default.json")
        let result = try ChildProcess.run(
            plugin, [], input: request("registry-1.docker.io/library/nginx:1.27"), environment: env)
        #expect(
            try decode(result).auth == [
                "registry-1.docker.io": ["username": "opaque-user", "password": "opaque-fixture-secret-3"]
            ])
        let refused = try ChildProcess.run(
            plugin, [], input: request("registry-1.docker.io/library/NGINX"), environment: env)
        #expect(refused.status == 1 && refused.stdout.isEmpty)
        #expect(refused.stderr.contains("the repository name must be lower-case"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("opaque-fixture-secret-3"))
    }

    @Test func environmentComesBeforeSecretsAndTheFileStoreAfter() throws {
        _ = try KubeletMount(at: dir.file("secrets/regcred"), fixture: "dockerconfigjson-regcred.json")
        var environment = env
        environment["OSSB_127_0_0_1_5000_USERNAME"] = "env-user"
        environment["OSSB_127_0_0_1_5000_PASSWORD"] = "env-secret"
        let fromEnv = try decode(
            try ChildProcess.run(plugin, [], input: request("127.0.0.1:5000/app"), environment: environment))
        #expect(fromEnv.auth["127.0.0.1:5000"]?["username"] == "env-user")
        // A registry only the file store knows.
        let file = ChildProcess.product("docker-credential-ossb-file")
        let stored = try ChildProcess.run(
            file, ["store"], input: #"{"ServerURL":"files.example.com","Username":"file-user","Secret":"file-secret"}"#,
            environment: env)
        #expect(stored.status == 0)
        let fromFile = try decode(
            try ChildProcess.run(plugin, [], input: request("files.example.com/app"), environment: env))
        #expect(fromFile.auth == ["files.example.com": ["username": "file-user", "password": "file-secret"]])
    }

    @Test func followsRegistryJSONsSourcesAndOrder() throws {
        _ = try KubeletMount(at: dir.file("secrets"), fixture: "dockerconfigjson-regcred.json")
        try FileManager.default.createDirectory(atPath: dir.file("home/.ossb"), withIntermediateDirectories: true)
        let config = URL(fileURLWithPath: dir.file("home/.ossb/registry.json"))
        try Data(#"{"registries": {"127.0.0.1:5000": {"username": "json-user", "password": "json-secret"}}}"#.utf8)
            .write(to: config)
        // The default order puts registry.json's own entries before the secrets.
        let first = try decode(try ChildProcess.run(plugin, [], input: request("127.0.0.1:5000/app"), environment: env))
        #expect(first.auth["127.0.0.1:5000"]?["username"] == "json-user")
        try Data(
            #"{"credential_sources": ["k8s", "registry"], "registries": {"127.0.0.1:5000": {"username": "json-user", "password": "json-secret"}}}"#
                .utf8
        ).write(to: config)
        let second = try decode(
            try ChildProcess.run(plugin, [], input: request("127.0.0.1:5000/app"), environment: env))
        #expect(second.auth["127.0.0.1:5000"]?["username"] == "k8s-user")
        // A malformed registry.json is an error kubelet logs, not a silent anonymous pull.
        try Data("{".utf8).write(to: config)
        let broken = try ChildProcess.run(plugin, [], input: request("127.0.0.1:5000/app"), environment: env)
        #expect(broken.status == 1 && broken.stdout.isEmpty && broken.stderr.contains("registry.json"))
    }

    @Test func explainModeNamesSourcesNeverSecrets() throws {
        _ = try KubeletMount(at: dir.file("secrets"), fixture: "dockerconfigjson-regcred.json")
        var environment = env
        environment["OSSB_EXPLAIN"] = "1"
        let result = try ChildProcess.run(plugin, [], input: request("127.0.0.1:5000/app"), environment: environment)
        #expect(result.status == 0)
        #expect(result.stderr.contains("explain: answered by k8s"))
        #expect(result.stderr.contains("image registry 127.0.0.1:5000: credentials found"))
        #expect(!result.stderr.contains("k8s-fixture-secret-1"))
    }

    @Test func notFoundIsAnEmptyAnswerWithoutCacheDurationByDefault() throws {
        let result = try ChildProcess.run(plugin, [], input: request("quay.io/org/app"), environment: env)
        #expect(result.status == 0)
        let response = try decode(result)
        #expect(response.cacheDuration == nil)
        #expect(response.auth.isEmpty)
    }

    @Test func rotatedSecretIsAnsweredAtOnce() throws {
        let mount = try KubeletMount(at: dir.file("secrets"), fixture: "opaque-registry.json")
        let first = try decode(try ChildProcess.run(plugin, [], input: request("quay.example.com/a"), environment: env))
        #expect(first.auth["quay.example.com"]?["password"] == "quay-fixture-secret-4")
        try mount.update(fixture: "opaque-registry-rotated.json")
        let second = try decode(
            try ChildProcess.run(plugin, [], input: request("quay.example.com/a"), environment: env))
        #expect(second.auth["quay.example.com"]?["password"] == "quay-rotated-secret-5")
    }

    @Test(arguments: [
        (
            #"{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v2","image":"nginx"}"#,
            "unsupported apiVersion"
        ),
        (
            #"{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v1"}"#,
            #"the request has no "image""#
        ),
        ("not json at all", "not valid JSON"),
    ])
    func rejectedInput(input: String, message: String) throws {
        _ = try KubeletMount(at: dir.file("secrets"), fixture: "opaque-default.json")
        let result = try ChildProcess.run(plugin, [], input: input, environment: env)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(
            result.stderr.hasPrefix("ossb-kubelet-credential-provider: ") && result.stderr.contains(message),
            "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!result.stderr.contains("opaque-fixture-secret-3"))
    }

    @Test func brokenSecretIsAnErrorForKubeletsLog() throws {
        _ = try KubeletMount(
            at: dir.file("secrets"), files: ["username": [0x00, 0x01], "password": Array("broken-secret".utf8)])
        let result = try ChildProcess.run(plugin, [], input: request("nginx"), environment: env)
        #expect(result.status == 1 && result.stdout.isEmpty)
        #expect(result.stderr.contains("/username holds binary data"))
        #expect(!result.stderr.contains("broken-secret"))
    }

    @Test func badArgumentsAndHelp() throws {
        let bad = try ChildProcess.run(plugin, ["--cache-duration=forever"], input: request("nginx"), environment: env)
        #expect(bad.status == 2 && bad.stdout.isEmpty)
        #expect(
            bad.stderr.hasPrefix(#"ossb-kubelet-credential-provider: --cache-duration "forever" is not a duration"#))
        // --help answers without waiting for stdin (the child's stdin is never closed by kubelet for --help).
        let help = try ChildProcess.run(plugin, ["--help"], input: "", environment: [:])
        #expect(help.status == 0 && help.stdout.hasPrefix("Usage: ossb-kubelet-credential-provider"))
    }
}

import Foundation
import KubernetesTestSupport
import Testing

/// docker-credential-ossb-k8s as a real child process, over secret volumes laid out as kubelet mounts them
/// from the committed kubectl fixtures.
@Suite struct K8sHelperProcessTests {
    let helper = ChildProcess.product("docker-credential-ossb-k8s")
    let dir = TemporaryDirectory()
    var env: [String: String] { ["OSSB_K8S_SECRETS_DIR": dir.path, "HOME": dir.file("home")] }

    func run(_ action: String, _ input: String = "") throws -> ChildProcess.Result {
        try ChildProcess.run(helper, [action], input: input, environment: env)
    }

    @Test func getFromBothKindsOfSecretSideBySide() throws {
        _ = try KubeletMount(at: dir.file("regcred"), fixture: "dockerconfigjson-regcred.json")
        _ = try KubeletMount(at: dir.file("registry-secret"), fixture: "opaque-default.json")
        let local = try run("get", "127.0.0.1:5000\n")
        #expect(local.status == 0)
        #expect(
            local.stdout == #"{"ServerURL":"127.0.0.1:5000","Username":"k8s-user","Secret":"k8s-fixture-secret-1"}"#
                + "\n")
        // docker asks for Docker Hub under its legacy key; the Opaque secret without `registry` serves it.
        let hub = try run("get", "https://index.docker.io/v1/")
        #expect(
            hub.stdout
                == #"{"ServerURL":"https://index.docker.io/v1/","Username":"opaque-user","Secret":"opaque-fixture-secret-3"}"#
                + "\n")
        let none = try run("get", "quay.io")
        #expect(none.status == 1 && none.stdout == "credentials not found in native keychain\n")
        #expect(local.stderr.isEmpty && hub.stderr.isEmpty && none.stderr.isEmpty)
    }

    @Test func defaultRegistryFromRegistryJSON() throws {
        _ = try KubeletMount(at: dir.path, fixture: "opaque-default.json")
        try FileManager.default.createDirectory(atPath: dir.file("home/.ossb"), withIntermediateDirectories: true)
        try Data(#"{"default_registry": "registry.example.com"}"#.utf8).write(
            to: URL(fileURLWithPath: dir.file("home/.ossb/registry.json")))
        #expect(try run("get", "registry.example.com").stdout.contains(#""Secret":"opaque-fixture-secret-3""#))
        #expect(try run("get", "docker.io").status == 1)
        #expect(try run("list").stdout == #"{"registry.example.com":"opaque-user"}"# + "\n")
    }

    @Test func rotationBetweenTwoGets() throws {
        let mount = try KubeletMount(at: dir.path, fixture: "opaque-registry.json")
        #expect(try run("get", "quay.example.com").stdout.contains(#""Secret":"quay-fixture-secret-4""#))
        try mount.update(fixture: "opaque-registry-rotated.json")
        #expect(try run("get", "quay.example.com").stdout.contains(#""Secret":"quay-rotated-secret-5""#))
    }

    @Test func listWithoutSecrets() throws {
        _ = try KubeletMount(at: dir.file("a"), fixture: "dockerconfigjson-authonly.json")
        _ = try KubeletMount(at: dir.file("b"), fixture: "dockercfg-legacy.json")
        _ = try KubeletMount(at: dir.file("c"), fixture: "opaque-registry.json")
        let listed = try run("list", "unused")
        #expect(listed.status == 0)
        #expect(
            listed.stdout
                == #"{"127.0.0.1:5001":"five-user","ghcr.example.com":"ghcr-user","https://legacy.example.com/v1/":"legacy-user","quay.example.com":"quay-user"}"#
                + "\n")
        for secret in [
            "ghcr-fixture-secret-6", "five-fixture-secret-7", "legacy-fixture-secret-8", "quay-fixture-secret-4",
        ] {
            #expect(!listed.stdout.contains(secret))
        }
    }

    @Test func emptyOrMissingMountListsNothing() throws {
        #expect(try run("list").stdout == "{}\n")
        let absent = try ChildProcess.run(
            helper, ["list"], input: "", environment: ["OSSB_K8S_SECRETS_DIR": dir.file("absent")])
        #expect(absent.status == 0 && absent.stdout == "{}\n")
    }

    @Test func storeAndEraseFailClearly() throws {
        _ = try KubeletMount(at: dir.path, fixture: "opaque-default.json")
        let store = try run("store", #"{"ServerURL":"docker.io","Username":"u","Secret":"store-secret"}"#)
        #expect(store.status == 1)
        #expect(
            store.stdout.hasPrefix(
                "the k8s credential store is read-only and cannot store credentials; create a Kubernetes secret instead"
            ))
        #expect(!store.stdout.contains("store-secret"))
        let erase = try run("erase", "docker.io")
        #expect(erase.status == 1)
        #expect(erase.stdout.hasPrefix("the k8s credential store is read-only and cannot erase credentials"))
        #expect(try run("get", "docker.io").stdout.contains("opaque-fixture-secret-3"))
    }

    @Test func malformedSecretIsOneClearLine() throws {
        _ = try KubeletMount(
            at: dir.path, files: [".dockerconfigjson": Array(#"{"auths": {"r": {"auth": "bad-secret-x"}"#.utf8)])
        let result = try run("get", "r")
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("the Kubernetes secret file \(dir.path)/.dockerconfigjson is not valid JSON"))
        #expect(result.stdout.dropLast().split(separator: "\n").count == 1)
        #expect(!result.stdout.contains("bad-secret-x") && result.stderr.isEmpty)
    }

    /// Root reads any file, so the helper runs as `nobody` (setpriv from util-linux) to meet a mode-0 file.
    @Test(
        .enabled(
            if: getuid() == 0 && TestBed.which("setpriv") != nil, "needs root and setpriv to run the helper as nobody"))
    func unreadableFileAsAnotherUser() throws {
        chmod(dir.path, 0o755)
        let mount = try KubeletMount(
            at: dir.file("s"), files: ["username": Array("u".utf8), "password": Array("bad-secret-y".utf8)])
        chmod(try mount.currentFile("password"), 0o600)
        let result = try ChildProcess.run(
            "/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", helper, "get"], input: "docker.io",
            environment: ["OSSB_K8S_SECRETS_DIR": dir.path])
        #expect(result.status == 1)
        #expect(
            result.stdout
                == "cannot read the Kubernetes secret file \(dir.path)/s/password: Permission denied; give this user read access (the secret volume's defaultMode, or the pod's fsGroup)\n"
        )
    }
}

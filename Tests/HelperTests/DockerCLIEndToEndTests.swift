import Foundation
import Testing

/// The real docker CLI (no daemon needed for login) and skopeo against a real docker-registry with htpasswd
/// auth, talking to docker-credential-ossb-file.
@Suite(.serialized) struct DockerCLIEndToEndTests {
    @Test(
        .enabled(if: TestBed.basicRegistry != nil, "needs scripts/test.sh's registry (OSSB_TEST_BASIC_REGISTRY)"),
        .enabled(if: TestBed.hasDockerCLI, "the docker CLI is not installed on this machine"))
    func dockerLoginStoresAndLogoutErasesThroughTheFileHelper() throws {
        let registry = try #require(TestBed.basicRegistry)
        let home = TemporaryDirectory()
        try home.write(".docker/config.json", #"{"credsStore": "ossb-file"}"#)
        let env = TestBed.clientEnvironment(home: home.path)
        let docker = try #require(TestBed.which("docker"))

        let wrong = try ChildProcess.run(
            docker, ["login", registry.address, "-u", registry.user, "--password-stdin"], input: "wrong-password\n",
            environment: env)
        #expect(wrong.status != 0, "a wrong password must fail: \(wrong)")
        #expect(!home.exists(".ossb/credentials.json"), "nothing may be stored for a rejected login")

        let login = try ChildProcess.run(
            docker, ["login", registry.address, "-u", registry.user, "--password-stdin"],
            input: registry.password + "\n", environment: env)
        #expect(login.status == 0, "\(login)")
        #expect(login.stdout.contains("Login Succeeded"))

        // The credential is in the helper's file, in docker's format; docker's own config has no secret.
        let stored =
            try JSONSerialization.jsonObject(with: Data(try home.read(".ossb/credentials.json").utf8)) as? [String: Any]
        let entry = (stored?["auths"] as? [String: Any])?[registry.address] as? [String: String]
        #expect(entry?["auth"] == Data("\(registry.user):\(registry.password)".utf8).base64EncodedString())
        let dockerConfig = try home.read(".docker/config.json")
        #expect(!dockerConfig.contains(registry.password))
        #expect(!dockerConfig.contains(Data("\(registry.user):\(registry.password)".utf8).base64EncodedString()))

        let helper = ChildProcess.product("docker-credential-ossb-file")
        let got = try ChildProcess.run(helper, ["get"], input: registry.address, environment: env)
        #expect(got.stdout.contains(#""Username":"\#(registry.user)""#))

        let logout = try ChildProcess.run(docker, ["logout", registry.address], input: "", environment: env)
        #expect(logout.status == 0, "\(logout)")
        #expect(try ChildProcess.run(helper, ["list"], input: "", environment: env).stdout == "{}\n")
    }

    @Test(
        .enabled(if: TestBed.basicRegistry != nil, "needs scripts/test.sh's registry (OSSB_TEST_BASIC_REGISTRY)"),
        .enabled(if: TestBed.which("skopeo") != nil, "skopeo is not installed"))
    func skopeoReadsThroughCredHelpers() throws {
        let registry = try #require(TestBed.basicRegistry)
        try TestBed.seedImage(
            registry: registry.address, repository: "ossb/hello", tag: "v1", user: registry.user,
            password: registry.password)
        let home = TemporaryDirectory()
        let env = TestBed.clientEnvironment(home: home.path, extra: ["REGISTRY_AUTH_FILE": home.file("auth.json")])
        let skopeo = try #require(TestBed.which("skopeo"))
        let args = ["inspect", "--tls-verify=false", "docker://\(registry.address)/ossb/hello:v1"]

        // Without credentials the registry refuses: the positive result below is the helper's doing.
        try home.write("auth.json", "{}")
        let anonymous = try ChildProcess.run(skopeo, args, input: "", environment: env)
        #expect(anonymous.status != 0)

        try home.write("auth.json", #"{"credHelpers": {"\#(registry.address)": "ossb-file"}}"#)
        let notFound = try ChildProcess.run(skopeo, args, input: "", environment: env)
        #expect(notFound.status != 0, "helper has nothing stored yet")
        #expect(
            !notFound.stderr.contains("credentials not found in native keychain")
                || notFound.stderr.contains("unauthorized")
                || notFound.stderr.contains("authentication required"), "\(notFound)")

        let helper = ChildProcess.product("docker-credential-ossb-file")
        let stored = try ChildProcess.run(
            helper, ["store"],
            input:
                #"{"ServerURL":"\#(registry.address)","Username":"\#(registry.user)","Secret":"\#(registry.password)"}"#,
            environment: env)
        #expect(stored.status == 0)
        let inspected = try ChildProcess.run(skopeo, args, input: "", environment: env)
        #expect(inspected.status == 0, "\(inspected)")
        #expect(inspected.stdout.contains("\"Digest\": \"sha256:"))
    }

    @Test(
        .enabled(if: TestBed.basicRegistry != nil, "needs scripts/test.sh's registry (OSSB_TEST_BASIC_REGISTRY)"),
        .enabled(if: TestBed.hasDockerCLI, "the docker CLI is not installed on this machine"))
    func dockerLoginAndLogoutThroughTheFront() throws {
        let registry = try #require(TestBed.basicRegistry)
        let home = TemporaryDirectory()
        try home.write(".docker/config.json", #"{"credsStore": "ossb"}"#)
        try home.write(".ossb/registry.json", #"{"credential_store": "file"}"#)
        let env = TestBed.clientEnvironment(home: home.path)
        let docker = try #require(TestBed.which("docker"))
        let login = try ChildProcess.run(
            docker, ["login", registry.address, "-u", registry.user, "--password-stdin"],
            input: registry.password + "\n", environment: env)
        #expect(login.status == 0, "\(login)")
        #expect(
            try home.read(".ossb/credentials.json").contains(
                Data("\(registry.user):\(registry.password)".utf8).base64EncodedString()))
        // docker reads the credential back through the front: a second login without a password finds the
        // stored user (it then fails only because there is no daemon to check it with).
        let again = try ChildProcess.run(docker, ["login", registry.address], input: "", environment: env)
        #expect(
            again.stderr.contains("Authenticating with existing credentials... [Username: \(registry.user)]"),
            "\(again)")
        let logout = try ChildProcess.run(docker, ["logout", registry.address], input: "", environment: env)
        #expect(logout.status == 0, "\(logout)")
        #expect(!(try home.read(".ossb/credentials.json")).contains(registry.address))
    }

    @Test(
        .enabled(if: TestBed.basicRegistry != nil, "needs scripts/test.sh's registry (OSSB_TEST_BASIC_REGISTRY)"),
        .enabled(if: TestBed.which("skopeo") != nil, "skopeo is not installed"))
    func skopeoReadsThroughTheFrontFromEverySource() throws {
        let registry = try #require(TestBed.basicRegistry)
        try TestBed.seedImage(
            registry: registry.address, repository: "ossb/front", tag: "v1", user: registry.user,
            password: registry.password)
        let skopeo = try #require(TestBed.which("skopeo"))
        let args = ["inspect", "--tls-verify=false", "docker://\(registry.address)/ossb/front:v1"]
        let prefix =
            "OSSB_" + registry.address.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()

        // 1. registry.json
        var home = TemporaryDirectory()
        try home.write("auth.json", #"{"credHelpers": {"\#(registry.address)": "ossb"}}"#)
        try home.write(
            ".ossb/registry.json",
            #"{"registries": {"\#(registry.address)": {"username": "\#(registry.user)", "password": "\#(registry.password)"}}}"#
        )
        var env = TestBed.clientEnvironment(home: home.path, extra: ["REGISTRY_AUTH_FILE": home.file("auth.json")])
        var result = try ChildProcess.run(skopeo, args, input: "", environment: env)
        #expect(result.status == 0, "registry.json: \(result)")

        // 2. the environment
        home = TemporaryDirectory()
        try home.write("auth.json", #"{"credHelpers": {"\#(registry.address)": "ossb"}}"#)
        env = TestBed.clientEnvironment(
            home: home.path,
            extra: [
                "REGISTRY_AUTH_FILE": home.file("auth.json"), "\(prefix)_USERNAME": registry.user,
                "\(prefix)_PASSWORD": registry.password,
            ])
        result = try ChildProcess.run(skopeo, args, input: "", environment: env)
        #expect(result.status == 0, "env: \(result)")

        // 3. the file backend; and with nothing stored the pull is refused (the control).
        home = TemporaryDirectory()
        try home.write("auth.json", #"{"credHelpers": {"\#(registry.address)": "ossb"}}"#)
        env = TestBed.clientEnvironment(home: home.path, extra: ["REGISTRY_AUTH_FILE": home.file("auth.json")])
        result = try ChildProcess.run(skopeo, args, input: "", environment: env)
        #expect(result.status != 0, "nothing stored yet")
        let store = try ChildProcess.run(
            ChildProcess.product("docker-credential-ossb-file"), ["store"],
            input:
                #"{"ServerURL":"\#(registry.address)","Username":"\#(registry.user)","Secret":"\#(registry.password)"}"#,
            environment: env)
        #expect(store.status == 0)
        result = try ChildProcess.run(skopeo, args, input: "", environment: env)
        #expect(result.status == 0, "file: \(result)")
    }
}

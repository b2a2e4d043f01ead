import Foundation
import Testing

/// The real docker CLI logging in to a real registry with `"credsStore": "ossb-secretservice"`: the credential
/// lands in the real keyring, where Go's helper reads it too, and `docker logout` removes it.
@Suite struct SecretServiceDockerCLITests {
    @Test(
        .enabled(if: TestBed.keyringBus != nil, "needs the keyring session of scripts/test.sh (OSSB_TEST_KEYRING)"),
        .enabled(if: TestBed.basicRegistry != nil, "needs scripts/test.sh's registry (OSSB_TEST_BASIC_REGISTRY)"),
        .enabled(if: TestBed.hasDockerCLI, "the docker CLI is not installed on this machine"))
    func dockerLoginAndLogoutThroughTheKeyringHelper() throws {
        let registry = try #require(TestBed.basicRegistry)
        let home = TemporaryDirectory()
        try home.write(".docker/config.json", #"{"credsStore": "ossb-secretservice"}"#)
        let env = TestBed.clientEnvironment(
            home: home.path,
            extra: ["DBUS_SESSION_BUS_ADDRESS": try #require(TestBed.keyringBus), "XDG_RUNTIME_DIR": home.path])
        let docker = try #require(TestBed.which("docker"))
        let helper = TestBed.secretServiceHelper
        // The registry address is shared with other tests that use the file helper, not the keyring.
        defer { _ = try? ChildProcess.run(helper, ["erase"], input: registry.address, environment: env) }

        let login = try ChildProcess.run(
            docker, ["login", registry.address, "-u", registry.user, "--password-stdin"],
            input: registry.password + "\n", environment: env)
        #expect(login.status == 0, "\(login)")
        #expect(!(try home.read(".docker/config.json")).contains(registry.password))

        let expected =
            #"{"ServerURL":"\#(registry.address)","Username":"\#(registry.user)","Secret":"\#(registry.password)"}"#
            + "\n"
        #expect(try ChildProcess.run(helper, ["get"], input: registry.address, environment: env).stdout == expected)
        if let go = TestBed.goSecretService {
            #expect(try ChildProcess.run(go, ["get"], input: registry.address, environment: env).stdout == expected)
        }

        let logout = try ChildProcess.run(docker, ["logout", registry.address], input: "", environment: env)
        #expect(logout.status == 0, "\(logout)")
        #expect(
            try ChildProcess.run(helper, ["get"], input: registry.address, environment: env).stdout
                == "credentials not found in native keychain\n")
    }
}

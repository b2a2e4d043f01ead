import Foundation
import Testing

/// Environment credentials reach only the one host their variables name, through every process that reads
/// them: the env helper, the front and the kubelet plugin. The look-alike hosts are what an attacker registers.
@Suite struct EnvBindingProcessTests {
    let home = TemporaryDirectory()
    let lookalikes = ["registry-gitlab.com", "registry.gitlab-com", "https://registry-gitlab.com/v2/"]

    var env: [String: String] {
        TestBed.clientEnvironment(
            home: home.path,
            extra: [
                "REGISTRY_GITLAB_COM_USERNAME": "gl-user", "REGISTRY_GITLAB_COM_PASSWORD": "gitlab-secret-1",
                "OSSB_REGISTRY_DASH_HOST": "dash-registry.example.com", "OSSB_REGISTRY_DASH_USERNAME": "dash-user",
                "OSSB_REGISTRY_DASH_PASSWORD": "dash-secret-2",
                "OSSB_K8S_SECRETS_DIR": home.file("no-secrets"),
            ])
    }

    @Test(arguments: ["docker-credential-ossb-env", "docker-credential-ossb"])
    func lookalikeHostsGetNotFoundAndABindingHint(helper name: String) throws {
        let helper = ChildProcess.product(name)
        for host in lookalikes {
            let got = try ChildProcess.run(helper, ["get"], input: host, environment: env)
            #expect(got.status == 1 && got.stdout == "credentials not found in native keychain\n", "\(host): \(got)")
            #expect(
                got.stderr.contains(
                    "set OSSB_REGISTRY_<NAME>_HOST=\(host.contains("//") ? "registry-gitlab.com" : host)"),
                "\(host): \(got.stderr)")
            #expect(!got.stderr.contains("gitlab-secret-1"))
        }
        let real = try ChildProcess.run(helper, ["get"], input: "registry.gitlab.com", environment: env)
        #expect(
            real.stdout == #"{"ServerURL":"registry.gitlab.com","Username":"gl-user","Secret":"gitlab-secret-1"}"#
                + "\n")
        #expect(real.stderr.isEmpty)
        let bound = try ChildProcess.run(helper, ["get"], input: "dash-registry.example.com", environment: env)
        #expect(bound.stdout.contains(#""Username":"dash-user","Secret":"dash-secret-2""#), "\(bound)")
        #expect(try ChildProcess.run(helper, ["get"], input: "dash.registry.example.com", environment: env).status == 1)
    }

    @Test func envHelperListShowsEachSetsExactHost() throws {
        let listed = try ChildProcess.run(
            ChildProcess.product("docker-credential-ossb-env"), ["list"], input: "", environment: env)
        #expect(listed.stdout == #"{"dash-registry.example.com":"dash-user","registry.gitlab.com":"gl-user"}"# + "\n")
    }

    @Test func kubeletPluginGivesALookalikeImageNoCredentials() throws {
        let plugin = ChildProcess.product("ossb-kubelet-credential-provider")
        func request(_ image: String) -> String {
            #"{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":"\#(image)"}"#
                + "\n"
        }
        let lookalike = try ChildProcess.run(
            plugin, [], input: request("registry-gitlab.com/team/app:1"), environment: env)
        #expect(!lookalike.stdout.contains("gitlab-secret-1"), "the look-alike received the password")
        #expect(lookalike.stderr.contains("OSSB_REGISTRY_<NAME>_HOST=registry-gitlab.com"), "\(lookalike.stderr)")
        let real = try ChildProcess.run(plugin, [], input: request("registry.gitlab.com/team/app:1"), environment: env)
        #expect(real.stdout.contains("gitlab-secret-1"))
    }
}

import Testing

/// docker-credential-ossb-env as a real child process.
@Suite struct EnvHelperProcessTests {
    let helper = ChildProcess.product("docker-credential-ossb-env")
    let env = [
        "DOCKER_USERNAME": "hubuser", "DOCKER_PASSWORD": "hub-secret-1",
        "REGISTRY_EXAMPLE_COM_USERNAME": "user", "REGISTRY_EXAMPLE_COM_PASSWORD": "example-secret-2",
        "OSSB_127_0_0_1_5000_IDENTITY_TOKEN": "local-token-3",
    ]

    @Test func getsFromVariables() throws {
        let hub = try ChildProcess.run(helper, ["get"], input: "https://index.docker.io/v1/\n", environment: env)
        #expect(
            hub.stdout == #"{"ServerURL":"https://index.docker.io/v1/","Username":"hubuser","Secret":"hub-secret-1"}"#
                + "\n")
        let example = try ChildProcess.run(helper, ["get"], input: "registry.example.com", environment: env)
        #expect(example.stdout.contains(#""Secret":"example-secret-2""#))
        let local = try ChildProcess.run(helper, ["get"], input: "127.0.0.1:5000", environment: env)
        #expect(
            local.stdout == #"{"ServerURL":"127.0.0.1:5000","Username":"\u003ctoken\u003e","Secret":"local-token-3"}"#
                + "\n")
        let none = try ChildProcess.run(helper, ["get"], input: "quay.io", environment: env)
        #expect(none.status == 1 && none.stdout == "credentials not found in native keychain\n")
    }

    @Test func listShowsCompleteCredentialsWithoutSecrets() throws {
        let listed = try ChildProcess.run(helper, ["list"], input: "", environment: env)
        #expect(listed.status == 0)
        #expect(
            listed.stdout
                == #"{"127.0.0.1:5000":"\u003ctoken\u003e","https://index.docker.io/v1/":"hubuser","registry.example.com":"user"}"#
                + "\n")
        for secret in ["hub-secret-1", "example-secret-2", "local-token-3"] { #expect(!listed.stdout.contains(secret)) }
    }

    @Test func storeAndEraseAreReadOnlyErrors() throws {
        let store = try ChildProcess.run(
            helper, ["store"], input: #"{"ServerURL":"r","Username":"u","Secret":"p"}"#, environment: env)
        #expect(store.status == 1)
        #expect(store.stdout.hasPrefix("the env credential store is read-only and cannot store credentials"))
        #expect(store.stdout.split(separator: "\n").count == 1)
        let erase = try ChildProcess.run(helper, ["erase"], input: "r", environment: env)
        #expect(erase.status == 1)
        #expect(erase.stdout.hasPrefix("the env credential store is read-only and cannot erase credentials"))
    }
}

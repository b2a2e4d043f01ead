import Testing

@testable import AuthCore

@Suite struct RegistryConfigTests {
    @Test func parsesTheOriginalDesignExampleAndDiscoveryKeys() throws {
        let json = """
            {
              "default_registry": "docker.io",
              "registries": {
                "docker.io": {"username": "myuser", "password": "mypass"},
                "registry.example.com": {"token": "mytoken"}
              },
              "insecure": ["localhost:5000"],
              "mirrors": {"docker.io": ["mirror1.example.com", "mirror2.example.com"]},
              "credential_sources": ["file", "env"],
              "credential_store": "file",
              "credential_helpers": {"*.dkr.ecr.*.amazonaws.com": "ecr-login"},
              "future_key": {"ignored": true}
            }
            """
        let config = try RegistryConfig.parse(Array(json.utf8), path: "/x/registry.json")
        #expect(config.defaultRegistry == "docker.io")
        #expect(config.registries["docker.io"] == .init(username: "myuser", password: "mypass"))
        #expect(config.registries["registry.example.com"]?.credentials.registryToken == "mytoken")
        #expect(config.registries["registry.example.com"]?.credentials.token == "mytoken")
        #expect(config.insecure == ["localhost:5000"])
        #expect(config.isInsecure("LOCALHOST:5000"))
        #expect(config.mirrors["docker.io"] == ["mirror1.example.com", "mirror2.example.com"])
        #expect(config.credentialSources == [.file, .env])
        #expect(config.credentialStore == .file)
        #expect(config.helper(forHost: "123456789.dkr.ecr.eu-west-1.amazonaws.com") == "ecr-login")
        #expect(config.helper(forHost: "quay.io") == nil)
        #expect(config.registryEntry(for: "https://index.docker.io/v1/")?.username == "myuser")
    }

    @Test func defaultsWhenEmpty() throws {
        let config = try RegistryConfig.parse(Array("{}".utf8), path: "r.json")
        #expect(config.credentialSources == [.env, .registry, .k8s, .cloud, .keyring, .file, .docker, .containers])
        #expect(config.credentialStore == .auto)
    }

    @Test(arguments: [
        ("{", "is not valid JSON"),
        ("[]", "holds an array, expected a JSON object"),
        (#"{"registries": []}"#, "\"registries\" is an array, expected an object"),
        (#"{"registries": {"r": "x"}}"#, "\"registries.r\" is a string"),
        (#"{"registries": {"r": {"password": 1}}}"#, "\"registries.r.password\" is a number, expected a string"),
        (#"{"insecure": "localhost"}"#, "\"insecure\" is a string, expected an array of strings"),
        (#"{"mirrors": {"docker.io": [1]}}"#, "\"mirrors.docker.io\" holds a number"),
        (
            #"{"credential_sources": ["env", "vault"]}"#,
            "unknown source \"vault\"; valid names: env, registry, k8s, cloud, keyring, file, docker, containers"
        ),
        (#"{"credential_store": "cloud"}"#, "\"credential_store\" is \"cloud\"; valid values: auto, keyring, file"),
        (#"{"credential_helpers": {"*.example.com": ""}}"#, "is empty; name a helper"),
    ])
    func malformedConfigurationNamesFileAndKey(json: String, fragment: String) {
        do {
            _ = try RegistryConfig.parse(Array(json.utf8), path: "/etc/ossb/registry.json")
            Issue.record("expected an error for \(json)")
        } catch {
            #expect("\(error)".hasPrefix("/etc/ossb/registry.json "))
            #expect("\(error)".contains(fragment), "\(error)")
        }
    }

    @Test func secretValuesNeverAppearInErrors() {
        do {
            _ = try RegistryConfig.parse(
                Array(#"{"registries": {"r": {"password": "hunter2-pw", "token": 5}}}"#.utf8), path: "p")
            Issue.record("expected an error")
        } catch {
            #expect(!"\(error)".contains("hunter2-pw"))
        }
    }

    @Test func loadHonoursOSSBConfigAndMissingFiles() throws {
        let dir = TemporaryDirectory()
        #expect(try RegistryConfig.load(environment: Environment(["HOME": dir.path])) == RegistryConfig())
        #expect(throws: ConfigurationError.self) {
            try RegistryConfig.load(environment: Environment(["OSSB_CONFIG": dir.file("missing.json")]))
        }
        try dir.write("r.json", #"{"default_registry": "quay.io"}"#)
        let loaded = try RegistryConfig.load(environment: Environment(["OSSB_CONFIG": dir.file("r.json")]))
        #expect(loaded.defaultRegistry == "quay.io")
        #expect(loaded.path == dir.file("r.json"))
    }
}

@Suite struct HostPatternTests {
    @Test(arguments: [
        ("*.dkr.ecr.*.amazonaws.com", "123456789012.dkr.ecr.us-east-1.amazonaws.com", true),
        ("*.dkr.ecr.*.amazonaws.com", "dkr.ecr.us-east-1.amazonaws.com", false),
        ("*.dkr.ecr.*.amazonaws.com", "a.b.dkr.ecr.us-east-1.amazonaws.com", false),
        ("*.example.com", "r.example.com", true),
        ("*.example.com", "a.r.example.com", false),
        ("*.example.com", "R.EXAMPLE.COM", true),
        ("127.0.0.1:*", "127.0.0.1:5000", true),
        ("127.0.0.1:*", "127.0.0.1", false),
        ("gcr.io", "gcr.io", true),
        ("gcr.io", "us.gcr.io", false),
        ("*-docker.pkg.dev", "europe-west1-docker.pkg.dev", true),
        ("*", "localhost", true),
        ("*", "r.example.com", false),
    ])
    func matches(pattern: String, host: String, expected: Bool) {
        #expect(HostPattern(pattern).matches(host) == expected)
    }

    @Test func mostSpecificPatternWins() throws {
        let config = try RegistryConfig.parse(
            Array(#"{"credential_helpers": {"*.example.com": "wide", "r.example.com": "narrow"}}"#.utf8), path: "p")
        #expect(config.helper(forHost: "r.example.com") == "narrow")
        #expect(config.helper(forHost: "q.example.com") == "wide")
    }
}

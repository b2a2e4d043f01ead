import Foundation
import Testing

/// docker-credential-ossb-ecr as a real child process, against moto (which checks SigV4 signatures with the keys
/// of an IAM user it knows) and the loopback metadata services of scripts/testbed/aws-metadata.py.
@Suite struct ECRHelperProcessTests {
    let helper = ChildProcess.product("docker-credential-ossb-ecr")
    static let registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    let home = TemporaryDirectory()

    /// A clean environment: a temporary HOME (no ~/.aws), no instance metadata unless a test asks for it.
    func environment(_ extra: [String: String]) -> [String: String] {
        var env = ["HOME": home.path, "AWS_EC2_METADATA_DISABLED": "true", "OSSB_EXPLAIN": "1"]
        env.merge(extra) { _, new in new }
        return env
    }

    func get(_ extra: [String: String], registry: String = registry) throws -> ChildProcess.Result {
        try ChildProcess.run(helper, ["get"], input: registry + "\n", environment: environment(extra))
    }

    /// How many tokens the ECR stand-in minted for an access key.
    static func minted(_ metadata: String, key: String) throws -> Int {
        let curl = try #require(TestProcess.which("curl"))
        return Int(try TestProcess.run(curl, ["-sf", "\(metadata)/count/\(key)"], environment: [:]).stdout) ?? -1
    }

    @Test(.enabled(if: TestServers.moto != nil, "needs moto (scripts/testbed/moto.sh)"))
    func tokenIsTheOneBoto3GetsFromTheSameServer() throws {
        let moto = try #require(TestServers.moto)
        let result = try get([
            "AWS_ACCESS_KEY_ID": moto.keyID, "AWS_SECRET_ACCESS_KEY": moto.secret, "AWS_ENDPOINT_URL": moto.checked,
        ])
        #expect(result.status == 0, "\(result)")
        #expect(
            result.stdout.hasPrefix(
                #"{"ServerURL":"123456789012.dkr.ecr.us-east-1.amazonaws.com","Username":"AWS","Secret":""#))
        let python = try #require(TestProcess.which("python3"))
        let boto = try TestProcess.run(
            python,
            [
                "-c",
                """
                import base64, boto3, sys
                c = boto3.client("ecr", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
                print(base64.b64decode(c.get_authorization_token()["authorizationData"][0]["authorizationToken"]).decode().split(":", 1)[1])
                """, moto.checked, moto.keyID, moto.secret,
            ], environment: ProcessInfo.processInfo.environment)
        #expect(boto.status == 0, "\(boto.stderr)")
        let expected = boto.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!expected.isEmpty && result.helperSecret == expected)
        // moto's tokens expired in 2015: handed out, never cached.
        let cached = (try? FileManager.default.contentsOfDirectory(atPath: home.file(".ossb/tokens"))) ?? []
        #expect(cached.isEmpty)
        #expect(result.stderr.contains("not cached"))
    }

    @Test(.enabled(if: TestServers.moto != nil, "needs moto (scripts/testbed/moto.sh)"))
    func aWrongSignatureIsRefusedByTheServer() throws {
        let moto = try #require(TestServers.moto)
        let wrong = "wrong-\(moto.secret)"
        let result = try get([
            "AWS_ACCESS_KEY_ID": moto.keyID, "AWS_SECRET_ACCESS_KEY": wrong, "AWS_ENDPOINT_URL": moto.checked,
        ])
        #expect(result.status == 1)
        #expect(result.stdout.contains("answered 403") && result.stdout.contains("SignatureDoesNotMatch"), "\(result)")
        #expect(result.stdout.split(separator: "\n").count == 1)
        #expect(!result.stdout.contains(wrong) && !result.stderr.contains(wrong))
    }

    @Test(.enabled(if: TestServers.moto != nil, "needs moto (scripts/testbed/moto.sh)"))
    func webIdentityAssumesTheRoleAtSTS() throws {
        let moto = try #require(TestServers.moto)
        try home.write("token", "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl")
        let result = try get([
            "AWS_WEB_IDENTITY_TOKEN_FILE": home.file("token"), "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/puller",
            "AWS_ENDPOINT_URL": moto.open,
        ])
        #expect(result.status == 0, "\(result)")
        #expect(result.helperSecret == "123456789012-auth-token")
        #expect(result.stderr.contains("credentials from web identity (arn:aws:iam::123456789012:role/puller)"))
        #expect(result.stderr.contains("STS AssumeRoleWithWebIdentity"))
        #expect(!result.stderr.contains("eyJhbGciOiJSUzI1NiJ9"), "the web identity token leaked")
    }

    @Test(.enabled(if: TestServers.moto != nil, "needs moto (scripts/testbed/moto.sh)"))
    func aProfileRoleIsAssumedWithItsSourceProfile() throws {
        let moto = try #require(TestServers.moto)
        try home.write(
            "config",
            "[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/ci\nsource_profile = base\nregion = eu-west-1\n")
        try home.write("credentials", "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n")
        let result = try get([
            "AWS_PROFILE": "ci", "AWS_CONFIG_FILE": home.file("config"),
            "AWS_SHARED_CREDENTIALS_FILE": home.file("credentials"),
            "AWS_ENDPOINT_URL": moto.open,
        ])
        #expect(result.status == 0, "\(result)")
        #expect(
            result.stderr.contains(
                "credentials from profile ci (role arn:aws:iam::123456789012:role/ci with profile base)"))
        #expect(result.stderr.contains("STS AssumeRole for"))
        #expect(!result.stderr.contains("base-secret") && !result.stdout.contains("base-secret"))

        let missing = try get([
            "AWS_PROFILE": "nope", "AWS_CONFIG_FILE": home.file("config"),
            "AWS_SHARED_CREDENTIALS_FILE": home.file("credentials"),
        ])
        #expect(missing.status == 1 && missing.stdout.contains("AWS_PROFILE names nope"), "\(missing)")
    }

    @Test(.enabled(if: TestServers.awsMetadata != nil, "needs scripts/testbed/aws-metadata.py"))
    func instanceMetadataV2() throws {
        let metadata = try #require(TestServers.awsMetadata)
        let result = try get([
            "AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": metadata,
            "AWS_ENDPOINT_URL_ECR": metadata,
        ])
        #expect(result.status == 0, "\(result)")
        #expect(result.helperSecret?.hasSuffix("-for-ASIAINSTANCE") == true, "\(result)")
        #expect(result.stderr.contains("instance role ossb-node-role"))
    }

    @Test(.enabled(if: TestServers.awsMetadata != nil, "needs scripts/testbed/aws-metadata.py"))
    func containerCredentialsWithATokenFile() throws {
        let metadata = try #require(TestServers.awsMetadata)
        try home.write("pod-token", "container-secret\n")
        let result = try get([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "\(metadata)/container-credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": home.file("pod-token"), "AWS_ENDPOINT_URL_ECR": metadata,
        ])
        #expect(result.status == 0, "\(result)")
        #expect(result.helperSecret?.hasSuffix("-for-ASIACONTAINER") == true, "\(result)")
        let wrong = try get([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "\(metadata)/container-credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "nope", "AWS_ENDPOINT_URL_ECR": metadata,
        ])
        #expect(wrong.status == 1 && wrong.stdout.contains("answered 401"), "\(wrong)")
        // The authorization token must not travel in clear to a remote host.
        let remote = try get([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://metadata.example.com/creds",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "x",
        ])
        #expect(remote.status == 1 && remote.stdout.contains("only https, loopback"), "\(remote)")
    }

    @Test(.enabled(if: TestServers.awsMetadata != nil, "needs scripts/testbed/aws-metadata.py"))
    func aCachedGetMakesNoRequestAndIdentitiesNeverShare() throws {
        let metadata = try #require(TestServers.awsMetadata)
        let cache = home.file("tokens")
        let aliceKey = "AKIAALICE\(UUID().uuidString.prefix(8))"
        let bobKey = "AKIABOB\(UUID().uuidString.prefix(8))"
        let alice = [
            "AWS_ACCESS_KEY_ID": aliceKey, "AWS_SECRET_ACCESS_KEY": "alice-secret", "AWS_ENDPOINT_URL_ECR": metadata,
            "OSSB_TOKEN_CACHE_DIR": cache,
        ]
        let first = try get(alice)
        #expect(first.status == 0 && first.stderr.contains("cached in"), "\(first)")
        #expect(try Self.minted(metadata, key: aliceKey) == 1)
        let second = try get(alice)
        #expect(second.stdout == first.stdout)
        #expect(second.stderr.contains("served from the token cache"))
        #expect(try Self.minted(metadata, key: aliceKey) == 1, "a cached get asked the network")

        // Files 0600 in a 0700 directory, holding no access key secret.
        let dirMode = try FileManager.default.attributesOfItem(atPath: cache)[.posixPermissions] as? Int
        #expect(dirMode == 0o700)
        // The registry's file (beside its lock).
        let files = try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".json") }
        #expect(files.count == 1)
        let fileMode =
            try FileManager.default.attributesOfItem(atPath: "\(cache)/\(files[0])")[.posixPermissions] as? Int
        #expect(fileMode == 0o600)
        #expect(!(try String(contentsOfFile: "\(cache)/\(files[0])", encoding: .utf8)).contains("alice-secret"))

        // Another identity never gets alice's token: it mints its own.
        var bob = alice
        bob["AWS_ACCESS_KEY_ID"] = bobKey
        let other = try get(bob)
        #expect(other.status == 0 && other.helperSecret?.hasSuffix("-for-\(bobKey)") == true, "\(other)")
        #expect(try Self.minted(metadata, key: bobKey) == 1)
        // Alice's entry survived Bob's, in the same registry's file.
        let again = try get(alice)
        #expect(again.stdout == first.stdout && again.stderr.contains("served from the token cache"), "\(again)")
        #expect(try Self.minted(metadata, key: aliceKey) == 1)

        let listed = try ChildProcess.run(helper, ["list"], input: "", environment: environment(alice))
        #expect(listed.stdout == #"{"\#(Self.registry)":"AWS"}"# + "\n")

        // A cache file another user could have written (group- or world-writable) is not believed: a new token is
        // minted instead of serving what may have been planted.
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: "\(cache)/\(files[0])")
        let planted = try get(alice)
        #expect(planted.status == 0 && !planted.stderr.contains("served from the token cache"), "\(planted)")
        #expect(try Self.minted(metadata, key: aliceKey) == 2)
    }

    @Test(.enabled(if: TestServers.awsMetadata != nil, "needs scripts/testbed/aws-metadata.py"))
    func ecrPublicUsesItsOwnServiceAndEndpoint() throws {
        let metadata = try #require(TestServers.awsMetadata)
        let key = "AKIAPUBLIC\(UUID().uuidString.prefix(8))"
        // The private ECR endpoint is a dead end: only AWS_ENDPOINT_URL_ECR_PUBLIC may be used.
        let result = try get(
            [
                "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": "s", "AWS_ENDPOINT_URL_ECR": "http://127.0.0.1:9",
                "AWS_ENDPOINT_URL_ECR_PUBLIC": metadata,
            ],
            registry: "public.ecr.aws")
        #expect(result.status == 0, "\(result)")
        #expect(result.helperSecret?.hasSuffix("-for-\(key)") == true, "\(result)")
    }

    @Test func storeEraseAndForeignHosts() throws {
        let store = try ChildProcess.run(
            helper, ["store"], input: #"{"ServerURL":"\#(Self.registry)","Username":"AWS","Secret":"x"}"#,
            environment: environment([:]))
        #expect(store.status == 1 && store.stdout.contains("stores nothing: AWS mints these credentials"), "\(store)")
        let erase = try ChildProcess.run(helper, ["erase"], input: Self.registry, environment: environment([:]))
        #expect(erase.status == 1 && erase.stdout.contains("stores nothing"))
        for host in [
            "registry.example.com", "\(Self.registry).evil.example", "evil.example/\(Self.registry)",
            "12345678901.dkr.ecr.us-east-1.amazonaws.com",
        ] {
            let result = try get(["AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "s"], registry: host)
            #expect(result.stdout == "credentials not found in native keychain\n", "\(host): \(result)")
        }
        let none = try get([:])
        #expect(none.status == 1 && none.stdout.hasPrefix("no AWS credentials: tried environment"), "\(none)")
    }
}

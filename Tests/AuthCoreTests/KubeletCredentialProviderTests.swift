import Glibc
import RegistryVocabulary
import Testing

@testable import AuthCore

/// The plugin's logic in-process: requests as kubelet sends them, responses checked field by field.
@Suite struct KubeletCredentialProviderTests {
    static let v1 = "credentialprovider.kubelet.k8s.io/v1"

    /// A lookup over fixed credentials that records the hosts asked for.
    final class Recorder: @unchecked Sendable {
        var asked: [String] = []
        let known: [String: Credentials]
        init(_ known: [String: Credentials]) { self.known = known }
        var lookup: KubeletCredentialProvider.RegistryLookup {
            { host in
                self.asked.append(host)
                return self.known[host]
            }
        }
    }

    func request(_ image: String, apiVersion: String = v1) -> [UInt8] {
        Array(#"{"kind":"CredentialProviderRequest","apiVersion":"\#(apiVersion)","image":"\#(image)"}"#.utf8) + [0x0A]
    }

    func response(_ outcome: HelperOutcome) throws -> JSONObject {
        try #require(try JSONParser.parse(outcome.stdout).objectValue)
    }

    @Test func answersWithCredentialsForTheImagesRegistry() throws {
        let recorder = Recorder(["127.0.0.1:5000": Credentials(username: "node-user", password: "node-secret-1")])
        let provider = KubeletCredentialProvider(lookup: recorder.lookup)
        let outcome = provider.run(
            arguments: ["--cache-duration=10m"], input: request("127.0.0.1:5000/team/app:1.0"),
            environment: Environment())
        #expect(outcome.status == 0 && outcome.stderr == "")
        #expect(recorder.asked == ["127.0.0.1:5000"])
        let object = try response(outcome)
        #expect(object.names == ["kind", "apiVersion", "cacheKeyType", "cacheDuration", "auth"])
        #expect(object["kind"] == .string("CredentialProviderResponse"))
        #expect(object["apiVersion"] == .string(Self.v1))
        #expect(object["cacheKeyType"] == .string("Registry"))
        #expect(object["cacheDuration"] == .string("10m0s"))
        let auth = try #require(object["auth"]?.objectValue)
        #expect(auth.names == ["127.0.0.1:5000"])
        #expect(auth["127.0.0.1:5000"]?.objectValue?["username"] == .string("node-user"))
        #expect(auth["127.0.0.1:5000"]?.objectValue?["password"] == .string("node-secret-1"))
        #expect(auth["127.0.0.1:5000"]?.objectValue?.names == ["username", "password"])
        #expect(outcome.stdout.hasSuffix("}\n"))
    }

    static let digest = "sha256:" + String(repeating: "0123", count: 16)

    /// The registry kubelet's image names, by the one parser every part of the package uses: Docker Hub under
    /// each of its host names (in any case) is `docker.io`, which the stores key Docker Hub's credentials by.
    @Test(arguments: [
        ("docker.io/library/nginx", "docker.io"), ("nginx", "docker.io"), ("nginx:1.27", "docker.io"),
        ("library/nginx@\(digest)", "docker.io"), ("index.docker.io/library/nginx", "docker.io"),
        ("registry-1.docker.io/library/nginx", "docker.io"), ("registry.hub.docker.com/team/app", "docker.io"),
        ("INDEX.DOCKER.IO/library/nginx", "docker.io"),
        ("localhost/app", "localhost"), ("localhost:5000/app:tag", "localhost:5000"),
        ("registry.example.com/team/app", "registry.example.com"), ("Registry/app", "Registry"),
        ("quay.io/org/app@\(digest)", "quay.io"), ("[::1]:5000/app", "[::1]:5000"),
    ])
    func asksForTheRegistryOfTheImage(image: String, host: String) throws {
        let recorder = Recorder([:])
        let outcome = KubeletCredentialProvider(lookup: recorder.lookup).run(
            arguments: [], input: request(image), environment: Environment())
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(recorder.asked == [host])
        #expect(recorder.asked == [try ImageReference.parse(image).registry], "the registry client's parser agrees")
    }

    /// Docker Hub's credentials serve the image under the host name it spells: kubelet matches `auth` keys
    /// against the image's host label by label and would not apply a `docker.io` key to `registry-1.docker.io/…`.
    @Test(arguments: [
        ("docker.io/library/nginx", "docker.io"), ("nginx", "docker.io"),
        ("registry-1.docker.io/library/nginx", "registry-1.docker.io"), ("index.docker.io/team/app", "index.docker.io"),
        ("127.0.0.1:5000/app", "127.0.0.1:5000"),
    ])
    func theAnswerIsKeyedAsKubeletMatchesIt(image: String, key: String) throws {
        let known = Credentials(username: "hub-user", password: "hub-secret-4")
        let recorder = Recorder(["docker.io": known, "127.0.0.1:5000": known])
        let outcome = KubeletCredentialProvider(lookup: recorder.lookup).run(
            arguments: [], input: request(image), environment: Environment())
        let auth = try #require(try response(outcome)["auth"]?.objectValue)
        #expect(auth.names == [key])
    }

    /// Images the registry client would refuse are refused here too, instead of asking a store for the
    /// credentials of a host no pull can reach.
    @Test(arguments: [
        "quay.io/Org/app", "nginx@sha256:0123", "bad_host.example/app", "localhost:99999/app", "r.example//app",
        "r.example/app:", "r.example/", "-r.example/app",
        "r.example/app\\u001b[31m",  // JSON's escape: the image kubelet sends holds a real ESC
    ])
    func refusesWhatIsNotAnImageReference(image: String) {
        let recorder = Recorder([:])
        let outcome = KubeletCredentialProvider(lookup: recorder.lookup).run(
            arguments: [], input: request(image), environment: Environment())
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("is not an image reference (invalid "), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("\u{1B}"), "control characters are made visible")
        #expect(recorder.asked.isEmpty)
    }

    @Test func notFoundIsAValidEmptyAnswer() throws {
        let provider = KubeletCredentialProvider(lookup: Recorder([:]).lookup)
        let outcome = provider.run(arguments: [], input: request("docker.io/library/nginx"), environment: Environment())
        #expect(outcome.status == 0)
        #expect(
            outcome.stdout
                == #"{"kind":"CredentialProviderResponse","apiVersion":"credentialprovider.kubelet.k8s.io/v1","cacheKeyType":"Registry","auth":{}}"#
                + "\n")
    }

    @Test func answersInTheRequestsAPIVersion() throws {
        let provider = KubeletCredentialProvider(lookup: Recorder([:]).lookup)
        let beta = "credentialprovider.kubelet.k8s.io/v1beta1"
        let outcome = provider.run(arguments: [], input: request("nginx", apiVersion: beta), environment: Environment())
        #expect(try response(outcome)["apiVersion"] == .string(beta))
    }

    @Test func tokensCannotBeCarriedAndAreLeftOutWithANote() throws {
        let recorder = Recorder(["docker.io": Credentials(identityToken: "refresh-secret-2")])
        let outcome = KubeletCredentialProvider(lookup: recorder.lookup).run(
            arguments: [], input: request("nginx"), environment: Environment())
        #expect(outcome.status == 0)
        #expect(try response(outcome)["auth"] == .object(JSONObject()))
        #expect(outcome.stderr.contains("an identity token, which kubelet's credential provider API cannot carry"))
        #expect(!outcome.stderr.contains("refresh-secret-2") && !outcome.stdout.contains("refresh-secret-2"))
    }

    @Test func explainNamesTheRegistryNeverTheSecret() throws {
        let recorder = Recorder(["quay.io": Credentials(username: "u", password: "explain-secret-3")])
        let outcome = KubeletCredentialProvider(lookup: recorder.lookup).run(
            arguments: [], input: request("quay.io/org/app"), environment: Environment(["OSSB_EXPLAIN": "1"]))
        #expect(outcome.stderr == "ossb-kubelet-credential-provider: image registry quay.io: credentials found\n")
    }

    @Test(arguments: [
        (
            #"{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v2","image":"nginx"}"#,
            #"unsupported apiVersion "credentialprovider.kubelet.k8s.io/v2" in the request"#
        ),
        (#"{"kind":"CredentialProviderRequest","apiVersion":"v1","image":"nginx"}"#, #"unsupported apiVersion "v1""#),
        (#"{"kind":"CredentialProviderRequest","image":"nginx"}"#, #"the request has no "apiVersion""#),
        (
            #"{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v1"}"#,
            #"the request has no "image""#
        ),
        (
            #"{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":""}"#,
            #"the request has no "image""#
        ),
        (
            #"{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":7}"#,
            #""image" in the request is a number"#
        ),
        (
            #"{"kind":"Pod","apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":"nginx"}"#,
            #"the request's kind is "Pod""#
        ),
        (#"{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":"nginx"}"#, "the request's kind is missing"),
        (
            #"{"kind":"CredentialProviderRequest","apiVersion":"credentialprovider.kubelet.k8s.io/v1","image":"a b"}"#,
            "not an image reference"
        ),
        ("image: nginx", "the request on standard input is not valid JSON"),
        (#"["nginx"]"#, "the request on standard input is an array"),
        ("", "no request on standard input"),
    ])
    func malformedRequestsAreErrorsOnStderr(input: String, message: String) {
        let recorder = Recorder([:])
        let outcome = KubeletCredentialProvider(lookup: recorder.lookup).run(
            arguments: [], input: Array(input.utf8), environment: Environment())
        #expect(outcome.status == 1)
        #expect(outcome.stdout == "")
        #expect(outcome.stderr.hasPrefix("ossb-kubelet-credential-provider: "))
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(outcome.stderr.split(separator: "\n").count == 1)
        #expect(recorder.asked.isEmpty)
    }

    @Test(arguments: [
        ["--cache-duration=soon"], ["--cache-duration"], ["--cache-duration=-5m"], ["--verbose"], ["extra"],
    ])
    func badArgumentsAreUsageErrors(arguments: [String]) {
        let outcome = KubeletCredentialProvider(lookup: Recorder([:]).lookup).run(
            arguments: arguments, input: request("nginx"), environment: Environment())
        #expect(outcome.status == 2)
        #expect(outcome.stdout == "")
        #expect(outcome.stderr.contains("Usage: ossb-kubelet-credential-provider"))
    }

    @Test func cacheDurationAsSeparateArgumentAndZero() throws {
        let provider = KubeletCredentialProvider(lookup: Recorder([:]).lookup)
        let separate = provider.run(
            arguments: ["--cache-duration", "1h30m"], input: request("nginx"), environment: Environment())
        #expect(try response(separate)["cacheDuration"] == .string("1h30m0s"))
        let zero = provider.run(arguments: ["--cache-duration=0"], input: request("nginx"), environment: Environment())
        #expect(try response(zero)["cacheDuration"] == .string("0s"))
    }

    /// Credentials that say when they expire bound the answer's reuse, whatever the configured duration or the
    /// registry: their remaining life less the token cache's margin, `0s` (do not cache) below that.
    @Test func cacheDurationEndsBeforeAKnownExpiry() throws {
        let now = Int64(time(nil))
        let margin = CloudRegistry.tokenMargin
        let cases: [(life: Int64, configured: String?, registry: String, expected: ClosedRange<Int64>)] = [
            (60, "10m", "127.0.0.1:5000", 0...0), (margin, nil, "127.0.0.1:5000", 0...0),
            (margin + 120, "10m", "127.0.0.1:5000", 115...120), (margin + 120, "1m", "127.0.0.1:5000", 60...60),
            (7200, "10m", "127.0.0.1:5000", 600...600), (7200, nil, "127.0.0.1:5000", 6895...6900),
            (margin + 120, nil, "123456789012.dkr.ecr.eu-west-1.amazonaws.com", 115...120),
            (7200, "1h", "123456789012.dkr.ecr.eu-west-1.amazonaws.com", margin...margin),
        ]
        for item in cases {
            let credentials = Credentials(username: "u", password: "p", expiresAt: now + item.life)
            let provider = KubeletCredentialProvider(lookup: { _ in credentials })
            let outcome = provider.run(
                arguments: item.configured.map { ["--cache-duration=\($0)"] } ?? [],
                input: request("\(item.registry)/app:1"), environment: Environment())
            let text = try #require(try response(outcome)["cacheDuration"]?.stringValue, "\(item)")
            let seconds = try #require(GoDuration(text)).nanoseconds / 1_000_000_000
            #expect(item.expected.contains(seconds), "\(item): \(text)")
        }
    }

    @Test func failingSourceIsAnError() throws {
        let provider = KubeletCredentialProvider(lookup: { _ in
            throw CredentialStoreError(.corrupt, "the Kubernetes secret file /s/.dockerconfigjson is not valid JSON")
        })
        let outcome = provider.run(arguments: [], input: request("nginx"), environment: Environment())
        #expect(outcome.status == 1 && outcome.stdout == "")
        #expect(
            outcome.stderr
                == "ossb-kubelet-credential-provider: the Kubernetes secret file /s/.dockerconfigjson is not valid JSON\n"
        )
    }

    @Test func discoveryLookupPassesOverTokensAndKeepsSearching() throws {
        let dir = TemporaryDirectory()
        let file = FileStore(path: dir.file("credentials.json"))
        try file.store(HelperCredential(serverURL: "quay.io", username: "file-user", secret: "file-secret"))
        let environment = Environment([
            "OSSB_CREDENTIALS_FILE": dir.file("credentials.json"), "HOME": dir.path,
            "OSSB_K8S_SECRETS_DIR": dir.file("absent"), "QUAY_IO_IDENTITY_TOKEN": "env-refresh-secret",
        ])
        let lookup = KubeletCredentialProvider.lookup(
            using: try AuthProvider(config: RegistryConfig(), environment: environment))
        // env holds an identity token for quay.io, which kubelet cannot use: the file store answers instead.
        #expect(try lookup("quay.io") == Credentials(username: "file-user", password: "file-secret"))
        #expect(try lookup("ghcr.io") == nil)
    }
}

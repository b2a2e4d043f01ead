import RegistryVocabulary
import Testing

@Suite struct ImageReferenceTests {
    static let hex = String(repeating: "a1", count: 32)

    @Test(arguments: [
        ("alpine", "docker.io/library/alpine:latest", "alpine:latest"),
        ("alpine:3.20", "docker.io/library/alpine:3.20", "alpine:3.20"),
        ("user/app", "docker.io/user/app:latest", "user/app:latest"),
        ("docker.io/alpine", "docker.io/library/alpine:latest", "alpine:latest"),
        ("index.docker.io/library/alpine:1", "docker.io/library/alpine:1", "alpine:1"),
        ("registry-1.docker.io/user/app", "docker.io/user/app:latest", "user/app:latest"),
        ("localhost/app", "localhost/app:latest", "localhost/app:latest"),
        ("localhost:5000/team/app:v1.2-rc_3", "localhost:5000/team/app:v1.2-rc_3", "localhost:5000/team/app:v1.2-rc_3"),
        ("127.0.0.1:5000/app", "127.0.0.1:5000/app:latest", "127.0.0.1:5000/app:latest"),
        ("[::1]:5000/app:1", "[::1]:5000/app:1", "[::1]:5000/app:1"),
        ("ghcr.io/o/r/deep/path:x", "ghcr.io/o/r/deep/path:x", "ghcr.io/o/r/deep/path:x"),
        ("Registry.Example.com/app", "Registry.Example.com/app:latest", "Registry.Example.com/app:latest"),
        ("my-reg.io/a__b/c-d.e---f:t", "my-reg.io/a__b/c-d.e---f:t", "my-reg.io/a__b/c-d.e---f:t"),
    ])
    func parsesAndNormalises(input: String, full: String, familiar: String) throws {
        let ref = try ImageReference.parse(input)
        #expect(ref.description == full)
        #expect(ref.familiarName == familiar)
        #expect(try ImageReference.parse(ref.description) == ref, "round trip")
    }

    @Test func digestsAloneAndWithTags() throws {
        let d = "sha256:\(Self.hex)"
        let byDigest = try ImageReference.parse("alpine@\(d)")
        #expect(byDigest.tag == nil)
        #expect(byDigest.digest?.description == d)
        #expect(byDigest.identifier == d)
        let both = try ImageReference.parse("127.0.0.1:5000/app:1@\(d)")
        #expect(both.tag == "1")
        #expect(both.identifier == d, "the digest decides what is fetched")
        #expect(both.registry == "127.0.0.1:5000")
    }

    @Test func defaultRegistryComesFromConfiguration() throws {
        let ref = try ImageReference.parse("team/app", defaultRegistry: "registry.example.com")
        #expect(ref.description == "registry.example.com/team/app:latest")
        #expect(try ImageReference.parse("alpine", defaultRegistry: "quay.io").repository == "alpine")
    }

    @Test func apiHostForDockerHub() throws {
        #expect(try ImageReference.parse("alpine").apiHost == "registry-1.docker.io")
        #expect(try ImageReference.parse("127.0.0.1:5000/a").apiHost == "127.0.0.1:5000")
    }

    @Test(arguments: [
        ("", "it is empty"),
        ("Alpine", "must be lower-case"),
        ("docker.io/User/app", "must be lower-case"),
        ("alpine:", "a tag cannot be empty"),
        ("alpine:-bad", "a tag must start with a letter, digit or '_'"),
        ("alpine:a+b", "a tag may contain only letters"),
        ("alpine:" + String(repeating: "t", count: 129), "a tag is at most 128 characters"),
        ("alpine@sha256:abc", "a sha256 digest has 64 hex digits, this one has 3"),
        ("alpine@sha256:" + String(repeating: "A", count: 64), "lower-case hex"),
        ("alpine@md5", "expected algorithm:hex"),
        ("alpine@SHA256:" + String(repeating: "a", count: 64), "the algorithm \"SHA256\" is not valid"),
        ("a//b", "empty path component"),
        ("app/", "empty path component"),
        ("a b", "white space"),
        ("app$", "'$' may not appear in a repository name"),
        ("r.example.com/-app", "must start and end with a letter or digit"),
        ("r.example.com/a..b", "\"..\" is not a valid separator"),
        ("r.example.com/a_-b", "\"_-\" is not a valid separator"),
        ("r.example.com:99999/app", "the port \"99999\" is not a number from 0 to 65535"),
        ("r.example.com:/app", "the port \"\" is not a number"),
        ("bad_host.example.com/app", "is not a valid host name part"),
        ("[::1/app", "needs a closing ']'"),
        ("r.example.com/" + String(repeating: "a", count: 250), "the limit is 255"),
        (":tag", "the repository name is missing"),
        // A URL is not a reference; the message says what to leave out rather than blaming a port.
        (
            "http://127.0.0.1:5000/app",
            "an image reference has no scheme (http://); leave it out: 127.0.0.1:5000/app"
        ),
        ("https://r.example.com/app:1", "leave it out: r.example.com/app:1"),
    ])
    func rejectsWithAPreciseMessage(input: String, fragment: String) {
        do {
            let ref = try ImageReference.parse(input)
            Issue.record("accepted \(input.debugDescription) as \(ref)")
        } catch {
            #expect(error.description.contains(fragment), "\(error)")
        }
    }
}

@Suite struct DigestTests {
    @Test func parsesSha256AndSha512() throws {
        let d = try Digest("sha256:" + String(repeating: "0f", count: 32))
        #expect(d.algorithm == "sha256")
        #expect(d.encoded.count == 64)
        #expect(try Digest("sha512:" + String(repeating: "ab", count: 64)).algorithm == "sha512")
        #expect(throws: ImageReferenceError.self) { try Digest("sha512:abcd") }
    }
}

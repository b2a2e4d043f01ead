import AuthCore
import Foundation
import OSSBTestSupport
import Testing

/// `ossb-registry` against the real Basic-auth registry reached under two names that fold to the same
/// environment variables: `registry.x.localhost:PORT` (the host the variables spell) and the look-alike
/// `registry-x.localhost:PORT` (libcurl resolves every `*.localhost` name to loopback). The registry accepts
/// the password from either, so a look-alike that answers shows the password was sent to it.
@Suite(.enabled(if: TestServers.basic != nil, "needs scripts/test.sh's Basic registry"))
struct EnvLookalikeCommandTests {
    let harness = CommandHarness()

    @Test func passwordFromTheEnvironmentNeverReachesALookalike() async throws {
        let bed = try #require(TestServers.basic)
        let port = try #require(bed.address.split(separator: ":").last.map(String.init))
        let repo = "cli/lookalike-\(UUID().uuidString.prefix(8).lowercased())"
        let seeded = try TestProcess.run(
            "/usr/bin/env",
            [
                "python3", "\(SourceTree.root)/scripts/testbed/seed-image.py", "--registry", bed.address,
                "--user", bed.user, "--password", bed.password, "--repo", repo, "--tag", "v1", "--platforms",
                "linux/amd64",
            ], environment: ["PATH": "/usr/bin:/bin"])
        try #require(seeded.status == 0, "\(seeded)")
        let env = [
            "REGISTRY_X_LOCALHOST_\(port)_USERNAME": bed.user, "REGISTRY_X_LOCALHOST_\(port)_PASSWORD": bed.password,
        ]
        let real = await harness.run(["tags", "registry.x.localhost:\(port)/\(repo)"], environment: env)
        #expect(real.status == 0 && real.stdout == "v1\n", "\(real.stderr)")
        let lookalike = await harness.run(["tags", "registry-x.localhost:\(port)/\(repo)"], environment: env)
        #expect(lookalike.status == 1, "the look-alike answered, so it received the password: \(lookalike.stdout)")
        #expect(lookalike.stdout.isEmpty)
        #expect(
            lookalike.stderr.contains("OSSB_REGISTRY_<NAME>_HOST=registry-x.localhost:\(port)"), "\(lookalike.stderr)")
        #expect(!lookalike.stderr.contains(bed.password))
        // The explicit binding is how the user serves the dashed host on purpose.
        let bound = await harness.run(
            ["tags", "registry-x.localhost:\(port)/\(repo)"],
            environment: [
                "OSSB_REGISTRY_X_HOST": "registry-x.localhost:\(port)", "OSSB_REGISTRY_X_USERNAME": bed.user,
                "OSSB_REGISTRY_X_PASSWORD": bed.password,
            ])
        #expect(bound.status == 0 && bound.stdout == "v1\n", "\(bound.stderr)")
    }

    /// The same against the token registry: the look-alike's challenge names a token realm, and the password
    /// must not be sent there. The realm refuses anonymous access to the repository, so only a password sent
    /// to it could make the look-alike answer.
    @Test(.enabled(if: TestServers.token != nil, "needs scripts/test.sh's token registry"))
    func passwordFromTheEnvironmentNeverReachesALookalikesTokenRealm() async throws {
        let bed = try #require(TestServers.token)
        let port = try #require(bed.registry.split(separator: ":").last.map(String.init))
        let repo = "lookalike/app-\(UUID().uuidString.prefix(8).lowercased())"
        let seeded = try TestProcess.run(
            "/usr/bin/env",
            [
                "python3", "\(SourceTree.root)/scripts/testbed/seed-image.py", "--registry", bed.registry,
                "--user", bed.user, "--password-env", "SEED_PASSWORD", "--repo", repo, "--tag", "v1", "--platforms",
                "linux/amd64",
            ], environment: ["PATH": "/usr/bin:/bin", "SEED_PASSWORD": bed.password])
        try #require(seeded.status == 0, "\(seeded)")
        let env = [
            "REGISTRY_X_LOCALHOST_\(port)_USERNAME": bed.user, "REGISTRY_X_LOCALHOST_\(port)_PASSWORD": bed.password,
        ]
        let real = await harness.run(["tags", "registry.x.localhost:\(port)/\(repo)"], environment: env)
        #expect(real.status == 0 && real.stdout == "v1\n", "\(real.stderr)")
        let lookalike = await harness.run(["tags", "registry-x.localhost:\(port)/\(repo)"], environment: env)
        #expect(lookalike.status == 1 && lookalike.stdout.isEmpty, "the look-alike's realm received the password")
        #expect(!lookalike.stderr.contains(bed.password))
    }
}

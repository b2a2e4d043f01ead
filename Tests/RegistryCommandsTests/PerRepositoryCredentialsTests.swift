import AuthCore
import Foundation
import OSSBTestSupport
import Testing

/// containers' auth.json keys `host/namespace` choose credentials per repository, so a `copy` between two
/// namespaces of one registry pulls with the source's and pushes with the destination's. The token server
/// grants push only to its full user; its pull user can pull everything and push nothing, which shows which
/// credentials each side was sent with.
@Suite(.enabled(if: TestServers.token != nil, "needs scripts/test.sh's token registry"))
struct PerRepositoryCredentialsTests {
    let harness = CommandHarness()

    func seed(_ repository: String, bed: TokenBed) throws {
        let seeded = try TestProcess.run(
            "/usr/bin/env",
            [
                "python3", "\(SourceTree.root)/scripts/testbed/seed-image.py", "--registry", bed.registry,
                "--user", bed.user, "--password-env", "SEED_PASSWORD", "--repo", repository, "--tag", "v1",
                "--platforms", "linux/amd64",
            ], environment: ["PATH": "/usr/bin:/bin", "SEED_PASSWORD": bed.password])
        try #require(seeded.status == 0, "\(seeded)")
    }

    func authFile(_ entries: [String: (String, String)]) throws -> String {
        let path = harness.home.file("auth.json")
        let auths = entries.mapValues { ["auth": Data("\($0.0):\($0.1)".utf8).base64EncodedString()] }
        try JSONSerialization.data(withJSONObject: ["auths": auths]).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func copyBetweenNamespacesPushesWithTheDestinationsCredentials() async throws {
        let bed = try #require(TestServers.token)
        let id = UUID().uuidString.prefix(8).lowercased()
        let (readOnly, writable) = ("ro-\(id)", "rw-\(id)")
        try seed("\(readOnly)/app", bed: bed)
        let file = try authFile([
            "\(bed.registry)/\(readOnly)": (bed.pullUser, bed.pullPassword),
            "\(bed.registry)/\(writable)": (bed.user, bed.password),
        ])
        let env = ["REGISTRY_AUTH_FILE": file]
        let copied = await harness.run(
            ["copy", "\(bed.registry)/\(readOnly)/app:v1", "\(bed.registry)/\(writable)/app:v1", "--quiet"],
            environment: env)
        #expect(copied.status == 0, "the push went out with the source's pull-only credentials: \(copied.stderr)")
        let tags = await harness.run(["tags", "\(bed.registry)/\(writable)/app"], environment: env)
        #expect(tags.stdout == "v1\n", "\(tags.stderr)")
        // And the other way round the destination's pull-only credentials are refused, though the source's
        // could push: each side really uses its own.
        let back = await harness.run(
            ["copy", "\(bed.registry)/\(writable)/app:v1", "\(bed.registry)/\(readOnly)/other:v1", "--quiet"],
            environment: env)
        #expect(back.status == 1, "the push used the source's credentials")
        #expect(!back.stderr.contains(bed.password) && !back.stderr.contains(bed.pullPassword))
    }
}

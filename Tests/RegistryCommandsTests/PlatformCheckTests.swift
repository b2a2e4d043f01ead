import Foundation
import OSSBTestSupport
import Testing

/// `--platform` is honoured for single-platform images too: asking arm64 of an amd64-only image fails and names
/// the image's platform (pull, copy, inspect), instead of quietly handing out amd64.
@Suite(.enabled(if: TestServers.basic != nil, "needs scripts/test.sh's registry"))
struct PlatformCheckTests {
    let harness = CommandHarness()

    func unique(_ name: String) -> String { "platform/\(name)-\(UUID().uuidString.prefix(8).lowercased())" }

    func commands(_ reference: String, _ registry: String, platform: String) -> [[String]] {
        [
            [
                "pull", reference, "-o", harness.home.file("layout-\(UUID().uuidString.prefix(8))"), "--platform",
                platform,
            ],
            ["copy", reference, "\(registry)/\(unique("copied")):v1", "--platform", platform],
            ["inspect", reference, "--platform", platform],
        ]
    }

    @Test(arguments: ["oci", "docker"])
    func aMismatchFailsNamingTheImagesPlatform(format: String) async throws {
        let registry = try await harness.loginToBasicRegistry()
        let repo = unique(format)
        _ = try SeededImage.push(repo, format: format, platforms: "linux/amd64")
        for arguments in commands("\(registry)/\(repo):v1", registry, platform: "linux/arm64") {
            let result = await harness.run(arguments)
            #expect(result.status == 1, "\(arguments[0]): \(result.stdout)")
            #expect(
                result.stderr.contains("is a single-platform image for linux/amd64, not linux/arm64"),
                "\(arguments[0]): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        for arguments in commands("\(registry)/\(repo):v1", registry, platform: "linux/amd64") {
            let result = await harness.run(arguments)
            #expect(result.status == 0, "\(arguments[0]): \(result.stderr)")
            #expect(result.stderr.isEmpty, "\(arguments[0]): \(result.stderr)")
        }
    }

    @Test func aConfigWithoutPlatformOnlyWarns() async throws {
        let registry = try await harness.loginToBasicRegistry()
        let repo = unique("bare")
        _ = try SeededImage.push(repo, platforms: "linux/amd64", extra: ["--bare-config"])
        for arguments in commands("\(registry)/\(repo):v1", registry, platform: "linux/arm64") {
            let result = await harness.run(arguments)
            #expect(result.status == 0, "\(arguments[0]): \(result.stderr)")
            #expect(
                result.stderr.contains("warning: ") && result.stderr.contains("does not say its platform"),
                "\(arguments[0]): \(result.stderr)")
        }
    }
}

import OSSBTestSupport
import Testing

/// `--explain` of the image commands: every line carries the one prefix `ossb: explain: `, including the lines
/// the token exchange and the transport write (which once came out as `ossb: explain: ossb: realm host: …`).
@Suite struct ExplainOutputTests {
    @Test(.enabled(if: TestServers.token != nil, "needs scripts/test.sh's token registry"))
    func imageCommandExplanationHasOnePrefixPerLine() async throws {
        let bed = try #require(TestServers.token)
        let harness = CommandHarness()
        let login = await harness.run(
            ["login", bed.registry, "-u", bed.user, "--password-stdin"], stdin: bed.password)
        #expect(login.status == 0, "\(login.stderr)")
        let result = await harness.run(["tags", "\(bed.registry)/explain/none", "--explain"])
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("ossb: explain: realm host: 127.0.0.1:") }, "\(result.stderr)")
        #expect(lines.contains { $0.hasPrefix("ossb: explain: token request: ") }, "\(result.stderr)")
        #expect(!result.stderr.contains("explain: ossb:"), "\(result.stderr)")
        #expect(!result.stderr.contains(bed.password))
    }
}

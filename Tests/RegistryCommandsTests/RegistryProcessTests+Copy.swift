import AuthCore
import Foundation
import OSSBTestSupport
import Testing

extension RegistryProcessTests {
    /// A copy streaming a layer that stalls at the source shows its progress bar, and Ctrl-C ends it at once with
    /// status 130: no tag at the destination, and (with --cache) no partial file left in the cache.
    @Test(
        .enabled(
            if: TestServers.basic != nil && TestServers.faultProxy != nil,
            "needs scripts/test.sh's registry and fault proxy"))
    func ctrlCMidCopyExitsPromptlyLeavingNothing() throws {
        let registry = try #require(TestServers.basic)
        let proxy = try #require(TestServers.faultProxy)
        let repo = try seedStalling("copy-sigint", count: 10, seconds: 30)
        var env = environment(withCredentialsFor: proxy, user: registry.user, password: registry.password)
        let prefix = "OSSB_" + EnvironmentStore.prefix(forHost: registry.address)
        env["\(prefix)_USERNAME"] = registry.user
        env["\(prefix)_PASSWORD"] = registry.password
        let target = "\(registry.address)/\(unique("copied")):v1"
        let result = try Terminal.run(
            [Self.binary, "copy", "--cache", "\(proxy)/\(repo):v1", target], environment: env,
            steps: [.expect("/4.0 MiB"), .sleep(1), .send("\u{3}")], timeout: 25)
        #expect(result.failed == nil, "\(result)")
        #expect(result.status == 130, "\(result)")
        #expect(
            result.secondsAfterSteps < 5, "exits promptly (the transfer stalls for 30 s): \(result.secondsAfterSteps) s"
        )
        #expect(result.stdout.isEmpty)
        #expect(partialFiles(under: home.path).isEmpty, "\(partialFiles(under: home.path))")
        let inspect = try run(["inspect", target], environment: env)
        #expect(inspect.status == 1, "the tag must not exist: \(inspect)")
    }
}

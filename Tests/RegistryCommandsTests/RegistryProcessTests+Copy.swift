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
        _ = try interruptMidTransfer(["copy", "--cache", "\(proxy)/\(repo):v1", target], environment: env)
        #expect(partialFiles(under: home.path).isEmpty, "\(partialFiles(under: home.path))")
        let inspect = try run(["inspect", target], environment: env)
        #expect(inspect.status == 1, "the tag must not exist: \(inspect)")
    }
}

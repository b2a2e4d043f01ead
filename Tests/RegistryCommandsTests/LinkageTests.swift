import Foundation
import OSSBTestSupport
import Testing

/// The helpers must not load libcurl or libcrypto (start-up time, swift-on-linux.md): only ossb-registry does.
@Suite struct LinkageTests {
    func libraries(_ product: String) throws -> String? {
        let path = "\(Subprocess.productsDirectory)/\(product)"
        guard FileManager.default.isExecutableFile(atPath: path), let ldd = Subprocess.which("ldd") else { return nil }
        return try Subprocess.run(ldd, [path], environment: ["PATH": "/usr/bin:/bin"]).stdout
    }

    @Test func helpersDoNotLinkLibcurlButTheCommandDoes() throws {
        let command = try #require(try libraries("ossb-registry"), "ossb-registry is built beside the tests")
        #expect(command.contains("libcurl"))
        for helper in ["docker-credential-ossb-file", "docker-credential-ossb-env"] {
            guard let linked = try libraries(helper) else { continue }  // not built in a filtered run
            #expect(!linked.contains("libcurl"), "\(helper) links libcurl")
            #expect(!linked.contains("libcrypto"), "\(helper) links libcrypto")
        }
    }
}

import AuthCore
import Foundation
import Testing

/// `ossb-registry logout` removes every stored spelling that would have served the registry.
@Suite struct LogoutCommandTests {
    let harness = CommandHarness()

    @Test func logoutRemovesEverySpellingThatPullsWouldUse() async throws {
        try Data(#"{"credential_store": "file"}"#.utf8).write(
            to: URL(fileURLWithPath: harness.home.file("registry.json")))
        func auth(_ user: String) -> String { #"{"auth":"\#(Data("\(user):pw".utf8).base64EncodedString())"}"# }
        try Data(
            """
            {"auths": {"https://r.example.com": \(auth("a")), "https://r.example.com/v1/": \(auth("b")), "r.example.com:5000": \(auth("c"))}}
            """.utf8
        ).write(to: URL(fileURLWithPath: harness.credentialsFile))
        chmod(harness.credentialsFile, 0o600)
        let env = ["OSSB_CONFIG": harness.home.file("registry.json")]
        let logout = await harness.run(["logout", "r.example.com"], environment: env)
        #expect(logout.status == 0, "\(logout.stderr)")
        #expect(logout.stdout == "Removing login credentials for r.example.com\n")
        let store = FileStore(path: harness.credentialsFile)
        #expect(try store.get("r.example.com") == nil)
        #expect(try store.list() == ["r.example.com:5000": "c"])
        let again = await harness.run(["logout", "https://r.example.com/"], environment: env)
        #expect(again.stdout == "Not logged in to r.example.com\n")
    }
}

import Testing

/// Usage errors (exit 2), help (exit 0) and the one-line error rule, with no network.
@Suite struct CommandLineUsageTests {
    @Test(arguments: [
        ([], "Usage: ossb-registry COMMAND"),
        (["frobnicate"], "unknown command \"frobnicate\""),
        (["login"], "name the registry to log in to"),
        (["login", "a", "b", "--password-stdin", "-u", "x"], "expected one registry, got 2"),
        (["login", "r.example", "--password-stdin"], "--password-stdin needs --username"),
        (["login", "r.example", "-u"], "-u needs a value"),
        (["login", "r.example", "--bogus"], "unknown option --bogus"),
        (["login", "r.example", "-u", "x"], "no terminal to ask for the password"),
        (["logout"], "name the registry to log out of"),
        (["logout", "--password-stdin", "r"], "unknown option --password-stdin"),
    ])
    func usageErrorsExitWith2(arguments: [String], message: String) async {
        let result = await CommandHarness().run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test(arguments: [["--help"], ["help", "login"], ["login", "--help"], ["logout", "-h"], ["login", "r", "--help"]])
    func helpExitsWith0(arguments: [String]) async {
        let result = await CommandHarness().run(arguments)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("Usage: ossb-registry"))
        #expect(result.stderr.isEmpty)
    }

    @Test func loginHelpDocumentsEveryOption() async {
        let text = await CommandHarness().run(["login", "--help"]).stdout
        for option in ["--username", "--password-stdin", "--insecure", "--explain", "Exit status"] {
            #expect(text.contains(option))
        }
    }

    @Test func emptyPasswordOnStdinFails() async {
        let result = await CommandHarness().run(["login", "127.0.0.1:1", "-u", "u", "--password-stdin"], stdin: "\n")
        #expect(result.status == 1)
        #expect(result.stderr.contains("no password was given"))
    }

    @Test func versionPrints() async {
        let result = await CommandHarness().run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("ossb-registry "))
    }
}

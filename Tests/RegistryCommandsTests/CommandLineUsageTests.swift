import OSSBTestSupport
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
        // `--` ends the options: what follows is a positional even when it looks like one.
        (["inspect", "--", "--raw"], "invalid image reference \"--raw\""),
        (["pull", "-o", "x", "alpine", "--platform=linux/amd64", "--all-platforms"], "exclude each other"),
        (["inspect", "alpine", "--raw=yes"], "--raw takes no value"),
        (["copy", "alpine"], "expected a source and a destination, got 1 argument;"),
        (["push", "-j", "0", "dir", "r.example/a"], "--jobs must be a whole number between 1 and 64 (got \"0\")"),
    ])
    func usageErrorsExitWith2(arguments: [String], message: String) async {
        let result = await CommandHarness().run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test(arguments: [
        ["--help"], ["help", "login"], ["login", "--help"], ["logout", "-h"], ["login", "r", "--help"],
    ])
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

    /// `--jobs` and `OSSB_MAX_CONCURRENT` are read through one validating reader: a bad value stops the command
    /// with one line naming it, before the registry is asked or the output directory is made. A bad `--jobs` is
    /// a usage error (exit 2) like any malformed option; a bad variable is a failure (exit 1) like a bad
    /// registry.json.
    @Test(arguments: [
        (["--jobs", "0"], [String: String](), "--jobs must be a whole number between 1 and 64 (got \"0\")", 2),
        (["-j", "many"], [:], "--jobs must be a whole number between 1 and 64 (got \"many\")", 2),
        (
            [], ["OSSB_MAX_CONCURRENT": "65"],
            "OSSB_MAX_CONCURRENT must be a whole number between 1 and 64 (got \"65\")", 1
        ),
        (
            [], ["OSSB_MAX_CONCURRENT": "-3"],
            "OSSB_MAX_CONCURRENT must be a whole number between 1 and 64 (got \"-3\")", 1
        ),
    ])
    func badParallelismStopsATransferBeforeItStarts(
        options: [String], environment: [String: String], message: String, status: Int32
    ) async {
        let harness = CommandHarness()
        let output = harness.home.file("layout")
        let result = await harness.run(["pull", "127.0.0.1:1/a:b", "-o", output] + options, environment: environment)
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(!harness.home.exists("layout"))
    }

    @Test func versionPrints() async {
        let result = await CommandHarness().run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("ossb-registry "))
    }

    /// registry.json is read once, before a command starts: a malformed one stops login before the registry is
    /// asked or standard input is read (one line naming the file), and leaves `cache`, which does not read
    /// it, working.
    @Test func malformedRegistryJSONStopsACommandBeforeItStarts() async throws {
        let harness = CommandHarness()
        try harness.home.write("registry.json", "{bad")
        let environment = [
            "OSSB_CONFIG": harness.home.file("registry.json"), "OSSB_CACHE_DIR": harness.home.file("cache"),
        ]
        for arguments in [
            ["login", "127.0.0.1:1", "-u", "u", "--password-stdin"], ["tags", "127.0.0.1:1/a"],
            ["logout", "r.example"],
        ] {
            let result = await harness.run(arguments, stdin: "secret\n", environment: environment)
            #expect(result.status == 1, "\(arguments): \(result)")
            #expect(
                result.stderr
                    == "ossb-registry \(arguments[0]): \(environment["OSSB_CONFIG"]!) is not valid JSON (expected a member name in quotes at line 1, column 2)\n"
            )
            #expect(result.stdout.isEmpty)
        }
        #expect(try harness.storedEntry("127.0.0.1:1") == nil)
        let cache = await harness.run(["cache", "du"], environment: environment)
        #expect(cache.status == 0 && cache.stdout.hasPrefix("Blob cache:"), "\(cache)")
    }

    /// Every command's help page is written from its table: the usage line names its positionals, and every
    /// option it accepts (and only those) is in the options section.
    @Test func helpListsWhatTheParserAccepts() async {
        let pull = await CommandHarness().run(["pull", "--help"]).stdout
        #expect(pull.hasPrefix("Usage: ossb-registry pull REFERENCE --output DIR [OPTIONS]\n"), "\(pull)")
        #expect(pull.contains("\n  -o, --output DIR "), "\(pull)")
        let push = await CommandHarness().run(["push", "--help"]).stdout
        #expect(push.hasPrefix("Usage: ossb-registry push DIR[:NAME] REFERENCE [OPTIONS]\n"), "\(push)")
        #expect(!push.contains("--platform"), "\(push)")
        let usage = await CommandHarness().run(["--help"]).stdout
        #expect(!usage.contains("completions"), "\(usage)")
        #expect(usage.contains("OSSB_MAX_CONCURRENT and the other settings: docs/configuration.md"), "\(usage)")
    }
}

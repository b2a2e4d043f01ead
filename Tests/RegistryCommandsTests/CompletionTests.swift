import AuthCore
import Foundation
import OSSBTestSupport
import Testing

/// The shell completions `ossb-registry completions bash|zsh` writes (what install.sh installs) know every
/// command and option that `--help` lists, and every installed executable answers `--version`.
@Suite struct CompletionTests {
    static let command = "\(TestProcess.productsDirectory)/ossb-registry"

    /// The completion script for `shell`, written to a file in `directory` as install.sh writes it.
    static func script(_ shell: String, in directory: TemporaryDirectory) throws -> String {
        let result = try TestProcess.run(command, ["completions", shell], environment: [:])
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result)")
        try directory.write(shell, result.stdout)
        return directory.file(shell)
    }

    /// The commands `ossb-registry --help` lists.
    static func commands() throws -> [String] {
        let usage = try TestProcess.run(command, ["--help"], environment: [:]).stdout
        let section = usage.components(separatedBy: "Commands:\n")[1].components(separatedBy: "\n\n")[0]
        return section.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// The options a command's `--help` lists (`-u`, `--username`, ...).
    static func options(of command: String) throws -> [String] {
        let help = try TestProcess.run(Self.command, [command, "--help"], environment: [:]).stdout
        let section = help.components(separatedBy: "Options:\n")[1].components(separatedBy: "\n\n")[0]
        var found: [String] = []
        for line in section.split(separator: "\n") {
            let spec = line.trimmingCharacters(in: .whitespaces).components(separatedBy: "  ")[0]
            for word in spec.split(whereSeparator: { $0 == " " || $0 == "," }) where word.hasPrefix("-") {
                found.append(String(word))
            }
        }
        return found
    }

    /// What the bash completion offers for the words typed so far (the last one being completed).
    static func bashCompletions(_ words: [String], script bashScript: String) throws -> [String] {
        let quoted = words.map { "'\($0)'" }.joined(separator: " ")
        let script =
            "source '\(bashScript)'; COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); _ossb_registry; printf '%s\\n' \"${COMPREPLY[@]}\""
        let result = try TestProcess.run("/bin/bash", ["-c", script], environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test func bashCompletesEveryCommandAndOption() throws {
        let directory = TemporaryDirectory()
        let script = try Self.script("bash", in: directory)
        let commands = try Self.commands()
        #expect(commands.count >= 7, "\(commands)")
        let top = try Self.bashCompletions(["ossb-registry", ""], script: script)
        for command in commands { #expect(top.contains(command), "bash does not offer \(command)") }
        #expect(top.contains("--version"))
        for command in commands {
            let offered = try Self.bashCompletions(["ossb-registry", command, "-"], script: script)
            for option in try Self.options(of: command) {
                #expect(offered.contains(option), "bash does not offer \(command) \(option)")
            }
        }
    }

    /// A positional is completed by its place among the positionals, whatever options come before it.
    @Test func bashCompletesPositionalsAfterOptions() throws {
        let directory = TemporaryDirectory()
        let script = try Self.script("bash", in: directory)
        #expect(
            try Self.bashCompletions(["ossb-registry", "cache", "--partials", ""], script: script) == ["du", "prune"])
        #expect(try Self.bashCompletions(["ossb-registry", "cache", "du", ""], script: script).isEmpty)
        let platforms = try Self.bashCompletions(
            ["ossb-registry", "pull", "alpine", "--platform", "linux/arm"], script: script)
        #expect(platforms == ["linux/arm64", "linux/arm/v7"], "\(platforms)")
    }

    /// `completions` serves install.sh: not in the command list, and only for the shells it knows.
    @Test func completionsIsHiddenAndKnowsItsShells() throws {
        #expect(try !Self.commands().contains("completions"))
        let fish = try TestProcess.run(Self.command, ["completions", "fish"], environment: [:])
        #expect(fish.status == 2 && fish.stdout.isEmpty, "\(fish)")
        #expect(
            fish.stderr
                == "ossb-registry completions: expected bash or zsh, got fish; run 'ossb-registry completions --help'\n"
        )
    }

    @Test func zshKnowsEveryCommandAndOption() throws {
        let directory = TemporaryDirectory()
        let zshScript = try Self.script("zsh", in: directory)
        let script = try String(contentsOfFile: zshScript, encoding: .utf8)
        for command in try Self.commands() {
            #expect(script.contains("'\(command):"), "zsh does not describe \(command)")
            // The command's branch: from `    login)` to its `;;`.
            let branch =
                script.components(separatedBy: "\n    \(command))\n").dropFirst().first?.components(separatedBy: ";;")
                .first ?? ""
            #expect(!branch.isEmpty, "zsh has no branch for \(command)")
            let common = ["--insecure": "$common_insecure", "--explain": "$common_explain", "--help": "$common_help"]
            for option in try Self.options(of: command) {
                let spelled =
                    branch.contains("\(option)[") || branch.contains("\(option),") || branch.contains(",\(option)}")
                    || common[option].map { branch.contains($0) } == true
                #expect(spelled, "zsh does not offer \(command) \(option)")
            }
        }
        if let zsh = TestProcess.which("zsh") {
            let checked = try TestProcess.run(zsh, ["-n", zshScript], environment: [:])
            #expect(checked.status == 0, "\(checked)")
        }
    }

    /// Every executable the package builds answers `--version` with its name and the version.
    @Test func everyExecutableAnswersVersion() throws {
        let helpers = try FileManager.default.contentsOfDirectory(atPath: "\(SourceTree.root)/helpers")
        #expect(helpers.count >= 6)
        for name in helpers + ["ossb-registry"] {
            let result = try TestProcess.run(
                "\(TestProcess.productsDirectory)/\(name)", ["--version"], environment: [:])
            #expect(result.status == 0, "\(name): \(result)")
            #expect(
                result.stdout.hasPrefix("\(name) ") && result.stdout.contains(OSSBVersion.current), "\(name): \(result)"
            )
        }
    }

    /// Every executable answers `--help` on stdout with exit status 0 (`ossb-cloud-mint` once answered with a
    /// usage error, exit 2, on stderr).
    @Test func everyExecutableAnswersHelp() throws {
        let helpers = try FileManager.default.contentsOfDirectory(atPath: "\(SourceTree.root)/helpers")
        for name in helpers + ["ossb-registry"] {
            let result = try TestProcess.run("\(TestProcess.productsDirectory)/\(name)", ["--help"], environment: [:])
            #expect(result.status == 0, "\(name): \(result)")
            #expect(result.stdout.hasPrefix("Usage: \(name)"), "\(name): \(result)")
        }
    }
}

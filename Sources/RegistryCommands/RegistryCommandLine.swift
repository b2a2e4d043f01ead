import AuthCore
import RegistryClient

/// `ossb-registry`, the operator's command-line tool: finds the command in the table, parses its arguments
/// once, answers `--help` and usage errors the same way for every command, loads registry.json once, runs it.
public enum RegistryCommandLine {
    /// The commands, in the order `--help` lists them. The one list: dispatch, help and completions read it.
    static let commands: [any RegistryCommand.Type] = [
        LoginCommand.self, LogoutCommand.self, InspectCommand.self, PullCommand.self, PushCommand.self,
        CopyCommand.self, TagsCommand.self, CacheCommand.self, CompletionsCommand.self,
    ]

    /// The commands a user is shown (`--help`, completions).
    static var listedCommands: [CommandSpec] { commands.map { $0.spec }.filter { !$0.hidden } }

    /// The options of `ossb-registry` itself.
    static let topOptions = [
        CommandOption("help", short: "h", help: "Show this help (also: ossb-registry COMMAND --help)"),
        CommandOption("version", help: "Print the version"),
    ]

    static var usage: String {
        """
        Usage: ossb-registry COMMAND [OPTIONS]

        Commands:
        \(HelpLayout.columns(listedCommands.map { ($0.synopsis, $0.summary) }))
        Options:
        \(HelpLayout.columns(topOptions.map { ($0.synopsis, $0.help) }))
        Environment: OSSB_EXPLAIN=1 explains what is consulted (never a secret); see docs/ossb-registry.md.
        OSSB_CONFIG, OSSB_CACHE_DIR, OSSB_MAX_CONCURRENT and the other settings: docs/configuration.md.

        """
    }

    /// Runs a command line.
    /// - Parameters:
    ///   - arguments: the arguments after the program name.
    ///   - context: streams, environment, transport and store.
    /// - Returns: the exit status (0, 1 or 2).
    public static func run(_ arguments: [String], context: CommandContext) async -> Int32 {
        guard let name = arguments.first else {
            context.writeError(usage)
            return ExitStatus.usage
        }
        let rest = Array(arguments.dropFirst())
        switch name {
        case "--help", "-h", "help":
            let topic = rest.first.flatMap { topic in commands.first { $0.spec.name == topic } }
            context.writeOutput(topic?.spec.helpText ?? usage)
            return ExitStatus.success
        case "--version", "version":
            context.writeOutput("ossb-registry \(OSSBVersion.current)\n")
            return ExitStatus.success
        default:
            guard let command = commands.first(where: { $0.spec.name == name }) else {
                context.writeError(
                    "ossb-registry: unknown command \"\(name)\"; run 'ossb-registry --help' for the list\n")
                return ExitStatus.usage
            }
            return await run(command, rest, context: context)
        }
    }

    /// Parses `arguments` by the command's table, then runs it: help and usage errors here, once for all.
    static func run(_ command: any RegistryCommand.Type, _ arguments: [String], context: CommandContext) async -> Int32
    {
        let spec = command.spec
        var context = context
        let invocation: any RegistryCommand
        do {
            let parsed = try ParsedArguments(arguments, options: spec.allOptions)
            if parsed.has("help") {
                context.writeOutput(spec.helpText)
                return ExitStatus.success
            }
            try spec.check(parsed)
            if spec.readsConfiguration { context.config = try RegistryConfig.load(environment: context.environment) }
            invocation = try command.init(parsed, context: context)
        } catch {
            return argumentFailure(spec.name, error, context: context)
        }
        do {
            try await invocation.run(context: context)
            return ExitStatus.success
        } catch {
            return failure(spec.name, "\(error)", context: context)
        }
    }

    /// Reports a usage error the same way for every command: what was wrong, and where help is.
    static func usageError(_ command: String, _ error: UsageError, context: CommandContext) -> Int32 {
        context.writeError("ossb-registry \(command): \(error); run 'ossb-registry \(command) --help'\n")
        return ExitStatus.usage
    }

    /// Reports a failure as one line. The message may quote a registry (its error text, a tag, a realm), so it
    /// is made inert: no escape sequence or line break of theirs reaches the terminal.
    static func failure(_ command: String, _ message: String, context: CommandContext) -> Int32 {
        context.writeError("ossb-registry \(command): \(TerminalText.sanitized(message))\n")
        return ExitStatus.failure
    }
}

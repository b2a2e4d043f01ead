import AuthCore
import RegistryClient

/// `ossb-registry`, the operator's command-line tool: dispatches to the commands.
public enum RegistryCommandLine {
    static let usage = """
        Usage: ossb-registry COMMAND [OPTIONS]

        Commands:
          login REGISTRY            Check credentials against a registry and store them
          logout REGISTRY           Remove the stored credentials for a registry
          inspect REFERENCE         Show an image's digest, platforms, config and layers (--raw: the manifest)
          pull REFERENCE -o DIR     Write an image as an OCI image layout
          push DIR[:NAME] REFERENCE Push an image from an OCI image layout
          copy SOURCE DESTINATION   Copy an image between repositories or registries, digests preserved
          tags REPOSITORY           List a repository's tags
          cache du | prune          Show or free the disk space of the blob cache

        Options:
          --help            Show this help (also: ossb-registry COMMAND --help)
          --version         Print the version

        Environment: OSSB_EXPLAIN=1 explains what is consulted (never a secret); see docs/ossb-registry.md.

        """

    /// Runs a command line.
    /// - Parameters:
    ///   - arguments: the arguments after the program name.
    ///   - context: streams, environment, transport and store.
    /// - Returns: the exit status (0, 1 or 2).
    public static func run(_ arguments: [String], context: CommandContext) async -> Int32 {
        guard let command = arguments.first else {
            context.writeError(usage)
            return ExitStatus.usage
        }
        let rest = Array(arguments.dropFirst())
        switch command {
        case "--help", "-h", "help":
            if let topic = rest.first, let text = helpText(topic) {
                context.writeOutput(text)
            } else {
                context.writeOutput(usage)
            }
            return ExitStatus.success
        case "--version", "version":
            context.writeOutput("ossb-registry \(OSSBVersion.current)\n")
            return ExitStatus.success
        case "login":
            return await LoginCommand.run(rest, context: context)
        case "logout":
            return await LogoutCommand.run(rest, context: context)
        case "inspect":
            return await InspectCommand.run(rest, context: context)
        case "pull":
            return await PullCommand.run(rest, context: context)
        case "push":
            return await PushCommand.run(rest, context: context)
        case "copy":
            return await CopyCommand.run(rest, context: context)
        case "tags":
            return await TagsCommand.run(rest, context: context)
        case "cache":
            return CacheCommand.run(rest, context: context)
        default:
            context.writeError("ossb-registry: unknown command \"\(command)\"; run 'ossb-registry --help' for the list\n")
            return ExitStatus.usage
        }
    }

    static func helpText(_ command: String) -> String? {
        switch command {
        case "login": return LoginCommand.help
        case "logout": return LogoutCommand.help
        case "inspect": return InspectCommand.help
        case "pull": return PullCommand.help
        case "push": return PushCommand.help
        case "copy": return CopyCommand.help
        case "tags": return TagsCommand.help
        case "cache": return CacheCommand.help
        default: return nil
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

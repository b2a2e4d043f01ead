import AuthCore
import RegistryClient
import RegistryVocabulary

/// `ossb-registry tags REPOSITORY`: the repository's tags, one per line.
enum TagsCommand {
    static let help = """
        Usage: ossb-registry tags REPOSITORY [--insecure] [--explain]

        List the tags of REPOSITORY (for example 127.0.0.1:5000/team/app, or alpine for Docker Hub's
        library/alpine), one per line, in the order the registry returns them.

        Options:
          --insecure   Allow plain http or an unverified certificate for this registry
          --explain    Show which credentials and endpoints are used (never a secret)
          --help       Show this help

        Exit status: 0 success, 1 failure (one line on stderr), 2 usage error.

        """

    static func run(_ arguments: [String], context: CommandContext) async -> Int32 {
        let parsed: ParsedArguments
        let reference: ImageReference
        do {
            parsed = try ParsedArguments(arguments, options: ClientFactory.commonOptions)
            if parsed.flags.contains("help") {
                context.writeOutput(help)
                return ExitStatus.success
            }
            guard parsed.positionals.count == 1 else {
                throw UsageError(parsed.positionals.isEmpty ? "name the repository" : "expected one repository, got \(parsed.positionals.count)")
            }
            reference = try ClientFactory.reference(parsed.positionals[0], context: context)
            if reference.digest != nil || parsed.positionals[0].contains("@") {
                throw UsageError("name a repository without a tag or digest")
            }
        } catch {
            return RegistryCommandLine.argumentFailure("tags", error, context: context)
        }
        do {
            let client = try ClientFactory.make(for: reference.registry, parsed: parsed, context: context)
            let tags = try await client.listTags(reference)
            context.writeOutput(tags.map { TerminalText.sanitized($0) + "\n" }.joined())
            return ExitStatus.success
        } catch {
            return RegistryCommandLine.failure("tags", "\(error)", context: context)
        }
    }
}

import AuthCore
import RegistryClient
import RegistryVocabulary

/// `ossb-registry tags REPOSITORY`: the repository's tags, one per line.
struct TagsCommand: RegistryCommand {
    static let spec = CommandSpec(
        name: "tags", summary: "List a repository's tags",
        discussion: """
            List the tags of REPOSITORY (for example 127.0.0.1:5000/team/app, or alpine for Docker Hub's
            library/alpine), one per line, in the order the registry returns them.
            """,
        positionals: [CommandPositional(name: "REPOSITORY", noun: "repository")], missing: "name the repository",
        options: ClientFactory.commonOptions)

    let arguments: ParsedArguments
    let reference: ImageReference

    init(_ arguments: ParsedArguments, context: CommandContext) throws {
        self.arguments = arguments
        reference = try ClientFactory.reference(arguments.positionals[0], context: context)
        // A tag is refused rather than ignored: `tags app:1.0` listing every tag of app would look like an answer
        // about 1.0.
        // (The parsed reference cannot say: it reads a missing tag as `latest`. A ':' in the last path component is a
        // tag; one before a '/' belongs to a port.)
        let raw = arguments.positionals[0]
        let namesTag = raw.split(separator: "/").last?.contains(":") ?? false
        if reference.digest != nil || namesTag || raw.contains("@") {
            throw UsageError("name a repository without a tag or digest (tags lists every tag of it)")
        }
    }

    func run(context: CommandContext) async throws {
        let client = try ClientFactory.make(for: [reference.registry], parsed: arguments, context: context)
        let tags = try await client.listTags(reference)
        context.writeOutput(tags.map { TerminalText.sanitized($0) + "\n" }.joined())
    }
}

import AuthCore
import RegistryClient
import RegistryVocabulary

/// `ossb-registry copy SOURCE DESTINATION`: registry to registry, digests preserved.
struct CopyCommand: RegistryCommand {
    static let spec = CommandSpec(
        name: "copy", summary: "Copy an image between repositories or registries, digests preserved",
        discussion: """
            Copy an image from one repository or registry to another, preserving digests. Within one registry,
            blobs are mounted (nothing is transferred); between registries each blob streams from the source
            into the destination as it arrives, its digest checked on the way (a blob that does not match is
            never stored), so memory use does not depend on its size and nothing is written to disk. With
            --cache, the blobs are also kept in the blob cache.
            """,
        positionals: [
            CommandPositional(name: "SOURCE", noun: "source"),
            CommandPositional(name: "DESTINATION", noun: "destination"),
        ],
        options: [
            .allPlatforms("Copy the whole multi-platform index (default: only this machine's platform)"),
            .platform("Copy the image for this platform from an index"),
            CommandOption.insecure.helping("Allow plain http or an unverified certificate for both registries"),
            CommandOption("cache", help: "Also keep the copied blobs in the blob cache (for a later pull or push)"),
            .quiet,
            .jobs,
            CommandOption.explain.helping("Show which credentials, mounts and endpoints are used (never a secret)"),
        ])

    let arguments: ParsedArguments
    let source: ImageReference
    let destination: ImageReference
    let platform: Platform?

    init(_ arguments: ParsedArguments, context: CommandContext) throws {
        self.arguments = arguments
        source = try ClientFactory.reference(arguments.positionals[0], context: context)
        destination = try ClientFactory.reference(arguments.positionals[1], context: context)
        platform = try ClientFactory.platform(arguments)
    }

    func run(context: CommandContext) async throws {
        let progress = ClientFactory.progress(quiet: arguments.has("quiet"), context: context, verb: "copying")
        let client = try ClientFactory.make(
            for: [source.registry, destination.registry], parsed: arguments, context: context, progress: progress)
        let result = try await client.copy(
            from: source, to: destination, platform: platform, allPlatforms: arguments.has("all-platforms"),
            fillCache: arguments.has("cache"), progress: progress)
        context.writeOutput(PushCommand.summary("Copied \(source.familiarName) to", result))
    }
}

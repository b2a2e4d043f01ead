import AuthCore
import RegistryClient
import RegistryVocabulary

/// `ossb-registry copy SOURCE DESTINATION`: registry to registry, digests preserved.
enum CopyCommand {
    static let help = """
        Usage: ossb-registry copy SOURCE DESTINATION [--all-platforms | --platform OS/ARCH[/VARIANT]]
                                  [--insecure] [--quiet] [--explain]

        Copy an image from one repository or registry to another, preserving digests. Within one registry,
        blobs are mounted (nothing is transferred); between registries each blob is streamed through the
        verified blob cache, so memory use does not depend on its size.

        Options:
          --all-platforms  Copy the whole multi-platform index (default: only this machine's platform)
          --platform P     Copy the image for platform P from an index
          --insecure       Allow plain http or an unverified certificate for both registries
          -q, --quiet      No progress bars (they are shown only when stderr is a terminal)
          --explain        Show which credentials, mounts and endpoints are used (never a secret)
          --help           Show this help

        Exit status: 0 success, 1 failure (one line on stderr), 2 usage error.

        """

    static func run(_ arguments: [String], context: CommandContext) async -> Int32 {
        let parsed: ParsedArguments
        let source: ImageReference
        let destination: ImageReference
        var platform: Platform?
        do {
            parsed = try ParsedArguments(arguments, options: ClientFactory.commonOptions + [
                .init(long: "all-platforms", short: nil, takesValue: false), .init(long: "platform", short: nil, takesValue: true),
                .init(long: "quiet", short: "q", takesValue: false),
            ])
            if parsed.flags.contains("help") {
                context.writeOutput(help)
                return ExitStatus.success
            }
            guard parsed.positionals.count == 2 else {
                throw UsageError("expected a source and a destination, got \(parsed.positionals.count) arguments")
            }
            if parsed.values["platform"] != nil && parsed.flags.contains("all-platforms") {
                throw UsageError("--platform and --all-platforms exclude each other")
            }
            source = try ClientFactory.reference(parsed.positionals[0], context: context)
            destination = try ClientFactory.reference(parsed.positionals[1], context: context)
            if let text = parsed.values["platform"] { platform = try Platform.parse(text) }
        } catch {
            return RegistryCommandLine.argumentFailure("copy", error, context: context)
        }
        do {
            let progress = ClientFactory.progress(quiet: parsed.flags.contains("quiet"), context: context, verb: "copying")
            var client = try ClientFactory.make(for: source.registry, parsed: parsed, context: context, progress: progress)
            if parsed.flags.contains("insecure") {
                client = try ClientFactory.make(for: nil, parsed: parsed, context: context, extraInsecure: [source.registry, destination.registry], progress: progress)
            }
            let result = try await client.copy(
                from: source, to: destination, platform: platform, allPlatforms: parsed.flags.contains("all-platforms"), progress: progress)
            context.writeOutput(PushCommand.summary("Copied \(source.familiarName) to", result))
            return ExitStatus.success
        } catch {
            return RegistryCommandLine.failure("copy", "\(error)", context: context)
        }
    }
}

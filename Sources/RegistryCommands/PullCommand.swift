import AuthCore
import RegistryClient
import RegistryVocabulary

/// `ossb-registry pull REFERENCE --output DIR`: writes the image as an OCI image layout.
enum PullCommand {
    static let help = """
        Usage: ossb-registry pull REFERENCE --output DIR [--platform OS/ARCH[/VARIANT]] [--all-platforms]
                                  [--preserve-digests] [--insecure] [--quiet] [--explain]

        Pull REFERENCE into DIR as an OCI image layout (oci-layout, blobs/sha256/, index.json) that other tools
        open by tag, such as `skopeo inspect oci:DIR:TAG`, `podman pull oci:DIR:TAG` or umoci. When DIR already
        is a layout, the image is added (an image of the same tag is replaced, the others are kept). Docker-format
        manifests and manifest lists are converted to OCI (layers and config are unchanged, the manifest's digest
        changes; both digests are shown). Every blob is verified against its digest and kept in the blob cache,
        so pulling the same image again transfers nothing. Mirrors in registry.json are tried first.

        Options:
          -o, --output DIR   The layout directory to write (created if missing)
          --platform P       The platform to pull from a multi-platform image (default: this machine's)
          --all-platforms    Pull every platform; index.json then names the index
          --preserve-digests Keep Docker-format manifests as served (same digests; the oci: transports of
                             skopeo, podman and buildah then cannot open the image by tag, only by digest)
          --insecure         Allow plain http or an unverified certificate for this registry
          -q, --quiet        No progress bars (they are shown only when stderr is a terminal)
          --explain          Show which credentials, mirrors and endpoints are used (never a secret)
          --help             Show this help

        Exit status: 0 success, 1 failure (one line on stderr), 2 usage error.

        """

    static func run(_ arguments: [String], context: CommandContext) async -> Int32 {
        let parsed: ParsedArguments
        let reference: ImageReference
        let output: String
        var platform: Platform?
        do {
            parsed = try ParsedArguments(arguments, options: ClientFactory.commonOptions + [
                .init(long: "output", short: "o", takesValue: true), .init(long: "platform", short: nil, takesValue: true),
                .init(long: "all-platforms", short: nil, takesValue: false),
                .init(long: "preserve-digests", short: nil, takesValue: false), .init(long: "quiet", short: "q", takesValue: false),
            ])
            if parsed.flags.contains("help") {
                context.writeOutput(help)
                return ExitStatus.success
            }
            guard parsed.positionals.count == 1 else {
                throw UsageError(parsed.positionals.isEmpty ? "name the image to pull" : "expected one reference, got \(parsed.positionals.count)")
            }
            guard let dir = parsed.values["output"], !dir.isEmpty else { throw UsageError("--output DIR is required") }
            output = dir
            if parsed.values["platform"] != nil && parsed.flags.contains("all-platforms") {
                throw UsageError("--platform and --all-platforms exclude each other")
            }
            reference = try ClientFactory.reference(parsed.positionals[0], context: context)
            if let text = parsed.values["platform"] { platform = try Platform.parse(text) }
        } catch {
            return RegistryCommandLine.argumentFailure("pull", error, context: context)
        }
        do {
            let progress = ClientFactory.progress(quiet: parsed.flags.contains("quiet"), context: context, verb: "downloading")
            let client = try ClientFactory.make(for: reference.registry, parsed: parsed, context: context, progress: progress)
            let result = try await client.pull(
                reference, to: output, platform: platform, allPlatforms: parsed.flags.contains("all-platforms"),
                preserveDigests: parsed.flags.contains("preserve-digests"), progress: progress)
            let converted = result.convertedFrom.map { " (converted to OCI from the registry's Docker-format \($0))" } ?? ""
            let platforms = result.platforms.map(\.description).joined(separator: ", ")
            context.writeOutput(TerminalText.sanitized(
                "Pulled \(reference.familiarName) (\(platforms)) into \(output): \(result.descriptor.digest)\(converted), \(result.blobs) blobs (\(result.cachedBlobs) from the cache), \(TerminalProgress.formatBytes(result.bytes))") + "\n")
            return ExitStatus.success
        } catch {
            return RegistryCommandLine.failure("pull", "\(error)", context: context)
        }
    }
}

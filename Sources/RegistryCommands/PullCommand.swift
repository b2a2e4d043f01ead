import AuthCore
import RegistryClient
import RegistryVocabulary

/// `ossb-registry pull REFERENCE --output DIR`: writes the image as an OCI image layout.
struct PullCommand: RegistryCommand {
    static let spec = CommandSpec(
        name: "pull", summary: "Write an image as an OCI image layout",
        discussion: """
            Pull REFERENCE into DIR as an OCI image layout (oci-layout, blobs/sha256/, index.json) that other tools
            open by tag, such as `skopeo inspect oci:DIR:TAG`, `podman pull oci:DIR:TAG` or umoci. When DIR already
            is a layout, the image is added (an image of the same tag is replaced, the others are kept). Docker-format
            manifests and manifest lists are converted to OCI (layers and config are unchanged, the manifest's digest
            changes; both digests are shown). Every blob is verified against its digest and kept in the blob cache,
            so pulling the same image again transfers nothing (--no-cache keeps it only in DIR). Mirrors in
            registry.json are tried first.
            """,
        positionals: [CommandPositional(name: "REFERENCE", noun: "reference")], missing: "name the image to pull",
        options: [
            CommandOption(
                "output", short: "o", value: "DIR", help: "The layout directory to write (created if missing)",
                required: true, completion: .directories),
            .platform("The platform to pull from a multi-platform image (default: this machine's)"),
            .allPlatforms("Pull every platform; index.json then names the index"),
            CommandOption(
                "preserve-digests",
                help: """
                    Keep Docker-format manifests as served (same digests; the oci: transports of skopeo, podman and \
                    buildah then cannot open the image by tag, only by digest)
                    """),
            CommandOption(
                "no-cache",
                help: """
                    Write downloaded blobs only into DIR, not also into the blob cache: one durable copy instead of \
                    two (blobs already cached are still copied from it)
                    """),
            .quiet,
            .jobs,
        ] + ClientFactory.commonOptions)

    let arguments: ParsedArguments
    let reference: ImageReference
    let output: String
    let platform: Platform?

    init(_ arguments: ParsedArguments, context: CommandContext) throws {
        self.arguments = arguments
        output = arguments.values["output"] ?? ""
        reference = try ClientFactory.reference(arguments.positionals[0], context: context)
        platform = try ClientFactory.platform(arguments)
    }

    func run(context: CommandContext) async throws {
        let progress = ClientFactory.progress(quiet: arguments.has("quiet"), context: context, verb: "downloading")
        let client = try ClientFactory.make(
            for: [reference.registry], parsed: arguments, context: context, progress: progress)
        let result = try await client.pull(
            reference, to: output, platform: platform, allPlatforms: arguments.has("all-platforms"),
            preserveDigests: arguments.has("preserve-digests"), cacheBlobs: !arguments.has("no-cache"),
            progress: progress)
        let converted = result.convertedFrom.map { " (converted to OCI from the registry's Docker-format \($0))" } ?? ""
        let platforms = result.platforms.map(\.description).joined(separator: ", ")
        context.writeOutput(
            TerminalText.sanitized(
                "Pulled \(reference.familiarName) (\(platforms)) into \(output): \(result.descriptor.digest)\(converted), \(result.blobs) blobs (\(result.cachedBlobs) from the cache), \(TerminalProgress.formatBytes(result.bytes))"
            ) + "\n")
    }
}

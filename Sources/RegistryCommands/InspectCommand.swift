import AuthCore
import FoundationEssentials
import RegistryClient
import RegistryVocabulary

/// `ossb-registry inspect REFERENCE`: a readable summary of an image or index, or the manifest bytes as served.
struct InspectCommand: RegistryCommand {
    static let spec = CommandSpec(
        name: "inspect", summary: "Show an image's digest, platforms, config and layers (--raw: the manifest)",
        discussion: """
            Show what REFERENCE names: for an image, its digest, media type, platform, config and layers with
            sizes; for a multi-platform index, its platforms. With --platform, the image for that platform.
            """,
        positionals: [CommandPositional(name: "REFERENCE", noun: "reference")], missing: "name the image to inspect",
        options: [
            .platform("Choose the image for this platform (linux/amd64, linux/arm64, linux/arm/v7) from an index"),
            CommandOption(
                "raw",
                help: """
                    Print the manifest bytes exactly as the registry served them (a newline is added only when standard \
                    output is a terminal), so `--raw | sha256sum` is the digest
                    """),
        ] + ClientFactory.commonOptions)

    let arguments: ParsedArguments
    let reference: ImageReference
    let platform: Platform?

    init(_ arguments: ParsedArguments, context: CommandContext) throws {
        self.arguments = arguments
        reference = try ClientFactory.reference(arguments.positionals[0], context: context)
        platform = try ClientFactory.platform(arguments)
    }

    func run(context: CommandContext) async throws {
        let client = try ClientFactory.make(for: [reference.registry], parsed: arguments, context: context)
        let top = try await client.getManifest(reference)
        var shown = top
        var descriptorPlatform: Platform?
        if let platform {
            // For a single-platform image this checks the platform its configuration names.
            let resolved = try await client.resolveImage(reference, platform: platform)
            shown = resolved.image
            descriptorPlatform = resolved.descriptor.platform
        }
        if arguments.has("raw") {
            // Exactly the registry's bytes, so `inspect --raw REF | sha256sum` is the digest; a newline only
            // to leave a terminal's prompt on a line of its own.
            context.writeOutput(String(decoding: shown.document.bytes, as: UTF8.self))
            if context.stdoutIsTerminal && shown.document.bytes.last != UInt8(ascii: "\n") { context.writeOutput("\n") }
            return
        }
        context.writeOutput(Self.summary(reference: reference, top: top, shown: shown, platform: descriptorPlatform))
    }

    static func summary(reference: ImageReference, top: FetchedManifest, shown: FetchedManifest, platform: Platform?)
        -> String
    {
        var lines = ["Reference:   \(reference)"]
        if shown.digest != top.digest { lines.append("Index:       \(top.digest)") }
        lines.append("Digest:      \(shown.digest)")
        lines.append("Media type:  \(shown.document.mediaType)")
        if shown.source != reference.registry { lines.append("Served by:   \(shown.source) (mirror)") }
        switch shown.document.content {
        case .index(let index):
            lines.append("Platforms:")
            let width =
                index.manifests.map { ($0.platform ?? PlatformSelector.implicitPlatform).description.count }.max() ?? 0
            for entry in index.manifests {
                let name = (entry.platform ?? PlatformSelector.implicitPlatform).description
                let note = PlatformSelector.isAttestation(entry) ? "  (attestation)" : ""
                lines.append(
                    "  \(name.padding(width))  \(entry.digest)  \(TerminalProgress.formatBytes(entry.size))\(note)")
            }
        case .image(let manifest):
            if let platform { lines.append("Platform:    \(platform)") }
            lines.append(
                "Config:      \(manifest.config.digest)  \(TerminalProgress.formatBytes(manifest.config.size))")
            lines.append(
                "Layers:      \(manifest.layers.count), \(TerminalProgress.formatBytes(manifest.layers.reduce(0) { $0 + $1.size })) in all"
            )
            for layer in manifest.layers {
                lines.append(
                    "  \(layer.digest)  \(TerminalProgress.formatBytes(layer.size).padding(10))  \(layer.mediaType)")
            }
        }
        // Media types and platforms are the registry's words: printed inert.
        return lines.map(TerminalText.sanitized).joined(separator: "\n") + "\n"
    }
}

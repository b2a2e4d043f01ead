import AuthCore
import FoundationEssentials
import RegistryClient
import RegistryVocabulary

/// `ossb-registry inspect REFERENCE`: a readable summary of an image or index, or the manifest bytes as served.
enum InspectCommand {
    static let help = """
        Usage: ossb-registry inspect REFERENCE [--platform OS/ARCH[/VARIANT]] [--raw] [--insecure] [--explain]

        Show what REFERENCE names: for an image, its digest, media type, platform, config and layers with
        sizes; for a multi-platform index, its platforms. With --platform, the image for that platform.

        Options:
          --platform P   Choose the image for platform P (linux/amd64, linux/arm64, linux/arm/v7) from an index
          --raw          Print the manifest bytes exactly as the registry served them (a newline is added
                         only when standard output is a terminal), so `--raw | sha256sum` is the digest
          --insecure     Allow plain http or an unverified certificate for this registry
          --explain      Show which credentials and endpoints are used (never a secret)
          --help         Show this help

        Exit status: 0 success, 1 failure (one line on stderr), 2 usage error.

        """

    static func run(_ arguments: [String], context: CommandContext) async -> Int32 {
        let parsed: ParsedArguments
        let reference: ImageReference
        var platform: Platform?
        do {
            parsed = try ParsedArguments(arguments, options: ClientFactory.commonOptions + [
                .init(long: "platform", short: nil, takesValue: true), .init(long: "raw", short: nil, takesValue: false),
            ])
            if parsed.flags.contains("help") {
                context.writeOutput(help)
                return ExitStatus.success
            }
            guard parsed.positionals.count == 1 else {
                throw UsageError(parsed.positionals.isEmpty ? "name the image to inspect" : "expected one reference, got \(parsed.positionals.count)")
            }
            reference = try ClientFactory.reference(parsed.positionals[0], context: context)
            if let text = parsed.values["platform"] { platform = try Platform.parse(text) }
        } catch {
            return RegistryCommandLine.argumentFailure("inspect", error, context: context)
        }
        do {
            let client = try ClientFactory.make(for: reference.registry, parsed: parsed, context: context)
            let top = try await client.getManifest(reference)
            var shown = top
            var descriptorPlatform: Platform?
            if let platform {
                // For a single-platform image this checks the platform its configuration names.
                let resolved = try await client.resolveImage(reference, platform: platform)
                shown = resolved.image
                descriptorPlatform = resolved.descriptor.platform
            }
            if parsed.flags.contains("raw") {
                // Exactly the registry's bytes, so `inspect --raw REF | sha256sum` is the digest; a newline only
                // to leave a terminal's prompt on a line of its own.
                context.writeOutput(String(decoding: shown.document.bytes, as: UTF8.self))
                if context.stdoutIsTerminal && shown.document.bytes.last != UInt8(ascii: "\n") { context.writeOutput("\n") }
                return ExitStatus.success
            }
            context.writeOutput(summary(reference: reference, top: top, shown: shown, platform: descriptorPlatform))
            return ExitStatus.success
        } catch {
            return RegistryCommandLine.failure("inspect", "\(error)", context: context)
        }
    }

    static func summary(reference: ImageReference, top: FetchedManifest, shown: FetchedManifest, platform: Platform?) -> String {
        var lines = ["Reference:   \(reference)"]
        if shown.digest != top.digest { lines.append("Index:       \(top.digest)") }
        lines.append("Digest:      \(shown.digest)")
        lines.append("Media type:  \(shown.document.mediaType)")
        if shown.source != reference.registry { lines.append("Served by:   \(shown.source) (mirror)") }
        switch shown.document.content {
        case .index(let index):
            lines.append("Platforms:")
            let width = index.manifests.map { ($0.platform ?? PlatformSelector.implicitPlatform).description.count }.max() ?? 0
            for entry in index.manifests {
                let name = (entry.platform ?? PlatformSelector.implicitPlatform).description
                let note = PlatformSelector.isAttestation(entry) ? "  (attestation)" : ""
                lines.append("  \(name.padding(width))  \(entry.digest)  \(TerminalProgress.formatBytes(entry.size))\(note)")
            }
        case .image(let manifest):
            if let platform { lines.append("Platform:    \(platform)") }
            lines.append("Config:      \(manifest.config.digest)  \(TerminalProgress.formatBytes(manifest.config.size))")
            lines.append("Layers:      \(manifest.layers.count), \(TerminalProgress.formatBytes(manifest.layers.reduce(0) { $0 + $1.size })) in all")
            for layer in manifest.layers {
                lines.append("  \(layer.digest)  \(TerminalProgress.formatBytes(layer.size).padding(10))  \(layer.mediaType)")
            }
        }
        // Media types and platforms are the registry's words: printed inert.
        return lines.map(TerminalText.sanitized).joined(separator: "\n") + "\n"
    }
}

extension String {
    /// Padded with spaces to `width` characters.
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

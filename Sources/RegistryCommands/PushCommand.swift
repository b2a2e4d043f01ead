import AuthCore
import RegistryClient
import RegistryVocabulary

/// `ossb-registry push DIR[:NAME] REFERENCE`: pushes an image from an OCI image layout.
enum PushCommand {
    static let help = """
        Usage: ossb-registry push DIR[:NAME] REFERENCE [--insecure] [--quiet] [--explain]

        Push the image in the OCI image layout DIR (one written by `ossb-registry pull`, or skopeo's) to
        REFERENCE: one image, or an index with all its platforms. NAME picks the image annotated with that
        org.opencontainers.image.ref.name when the layout holds several; a full name such as alpine:3.20 is
        matched first, else NAME is what follows the last colon. Blobs the registry has are skipped,
        blobs known to live in another repository of the same registry are mounted, the rest are uploaded
        (large ones in chunks that resume after an interruption); the tag is set last, so a failed push leaves
        no half-pushed tag. Digests are preserved.

        Options:
          --insecure   Allow plain http or an unverified certificate for this registry
          -q, --quiet  No progress bars (they are shown only when stderr is a terminal)
          --explain    Show which credentials and endpoints are used (never a secret)
          --help       Show this help

        Exit status: 0 success, 1 failure (one line on stderr), 2 usage error.

        """

    /// Splits `DIR[:NAME]`. A name may itself hold colons (skopeo, buildah and containerd write `ref.name`s such
    /// as `alpine:3.20`), so a split whose directory is a layout listing the whole rest as a name wins, the
    /// leftmost first; otherwise the part after the last ':' is the name.
    static func splitLayoutArgument(_ text: String) -> (String, String?) {
        var start = text.startIndex
        while let colon = text[start...].firstIndex(of: ":") {
            let directory = String(text[..<colon])
            let name = String(text[text.index(after: colon)...])
            if !directory.isEmpty, !name.isEmpty, (try? OCILayout(path: directory).descriptor(named: name)) != nil {
                return (directory, name)
            }
            start = text.index(after: colon)
        }
        guard let colon = text.lastIndex(of: ":") else { return (text, nil) }
        let directory = String(text[..<colon])
        let name = String(text[text.index(after: colon)...])
        guard !directory.isEmpty, !name.isEmpty, !name.contains("/") else { return (text, nil) }
        return (directory, name)
    }

    static func run(_ arguments: [String], context: CommandContext) async -> Int32 {
        let parsed: ParsedArguments
        let reference: ImageReference
        let directory: String
        let name: String?
        do {
            parsed = try ParsedArguments(arguments, options: ClientFactory.commonOptions + [.init(long: "quiet", short: "q", takesValue: false)])
            if parsed.flags.contains("help") {
                context.writeOutput(help)
                return ExitStatus.success
            }
            guard parsed.positionals.count == 2 else {
                throw UsageError("expected a layout directory and a reference, got \(parsed.positionals.count) arguments")
            }
            (directory, name) = splitLayoutArgument(parsed.positionals[0])
            reference = try ClientFactory.reference(parsed.positionals[1], context: context)
        } catch {
            return RegistryCommandLine.argumentFailure("push", error, context: context)
        }
        do {
            let progress = ClientFactory.progress(quiet: parsed.flags.contains("quiet"), context: context, verb: "uploading")
            let client = try ClientFactory.make(for: reference.registry, parsed: parsed, context: context, progress: progress)
            let result = try await client.push(layout: directory, name: name, to: reference, progress: progress)
            context.writeOutput(summary("Pushed", result))
            return ExitStatus.success
        } catch {
            return RegistryCommandLine.failure("push", "\(error)", context: context)
        }
    }

    static func summary(_ verb: String, _ result: PushResult) -> String {
        "\(verb) \(result.reference.familiarName): \(result.digest), \(result.uploaded) blobs uploaded (\(TerminalProgress.formatBytes(result.bytes))), \(result.mounted) mounted, \(result.existed) already present\n"
    }
}

import AuthCore
import RegistryClient
import RegistryVocabulary

/// `ossb-registry push DIR[:NAME] REFERENCE`: pushes an image from an OCI image layout.
struct PushCommand: RegistryCommand {
    static let spec = CommandSpec(
        name: "push", summary: "Push an image from an OCI image layout",
        discussion: """
            Push the image in the OCI image layout DIR (one written by `ossb-registry pull`, or skopeo's) to
            REFERENCE: one image, or an index with all its platforms. NAME picks the image annotated with that
            org.opencontainers.image.ref.name when the layout holds several; a full name such as alpine:3.20 is
            matched first, else NAME is what follows the last colon. Blobs the registry has are skipped,
            blobs known to live in another repository of the same registry are mounted, the rest are uploaded
            (large ones in chunks that resume after an interruption); the tag is set last, so a failed push leaves
            no half-pushed tag. Digests are preserved.
            """,
        positionals: [
            CommandPositional(name: "DIR[:NAME]", noun: "layout directory", completion: .directories),
            CommandPositional(name: "REFERENCE", noun: "reference"),
        ],
        options: [.quiet, .jobs] + ClientFactory.commonOptions)

    let arguments: ParsedArguments
    let directory: String
    let name: String?
    let reference: ImageReference

    init(_ arguments: ParsedArguments, context: CommandContext) throws {
        self.arguments = arguments
        (directory, name) = Self.splitLayoutArgument(arguments.positionals[0])
        reference = try ClientFactory.reference(arguments.positionals[1], context: context)
    }

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

    func run(context: CommandContext) async throws {
        let progress = ClientFactory.progress(quiet: arguments.has("quiet"), context: context, verb: "uploading")
        let client = try ClientFactory.make(
            for: [reference.registry], parsed: arguments, context: context, progress: progress)
        let result = try await client.push(layout: directory, name: name, to: reference, progress: progress)
        context.writeOutput(Self.summary("Pushed", result))
    }

    static func summary(_ verb: String, _ result: PushResult) -> String {
        "\(verb) \(result.reference.familiarName): \(result.digest), \(result.uploaded) blobs uploaded (\(TerminalProgress.formatBytes(result.bytes))), \(result.mounted) mounted, \(result.existed) already present\n"
    }
}

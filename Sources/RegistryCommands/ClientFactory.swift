import AuthCore
import RegistryClient
import RegistryVocabulary

/// Builds the registry client a command uses from its context and common options (`--insecure`, `--explain`).
enum ClientFactory {
    /// The options every registry command shares.
    static let commonOptions = [
        ParsedArguments.Option(long: "help", short: "h", takesValue: false),
        ParsedArguments.Option(long: "insecure", short: nil, takesValue: false),
        ParsedArguments.Option(long: "explain", short: nil, takesValue: false),
    ]

    /// A client for `reference`'s registry; `--insecure` adds that registry to the insecure hosts. Retry notes
    /// go to `progress` (above its bars), or straight to a terminal when the command draws no bars.
    static func make(
        for registry: String?, parsed: ParsedArguments, context: CommandContext, extraInsecure: [String] = [],
        progress: (any ProgressReporter)? = nil
    ) throws -> RegistryClient {
        var options = ClientOptions(environment: context.environment)
        options.config = try RegistryConfig.load(environment: context.environment)
        options.explain = nil
        if let sink = context.explainSink(forced: parsed.flags.contains("explain")) {
            options.explain = { line in sink("ossb: explain: " + line) }
        }
        let writeError = context.writeError
        options.warn = { writeError("ossb-registry: warning: \(TerminalText.sanitized($0))\n") }
        if context.stderrIsTerminal {
            let notes = progress ?? TerminalProgress(fd: 2)
            options.notice = { notes.note("ossb-registry: " + TerminalText.sanitized($0)) }
            // Warnings drawn through the bars stay above them instead of breaking the redraw; `--quiet`
            // silences bars and notes, never warnings.
            if let bars = progress as? TerminalProgress {
                options.warn = { bars.note("ossb-registry: warning: \(TerminalText.sanitized($0))") }
            }
        }
        var insecure = context.insecureHosts.union(options.config?.insecure ?? [])
        if parsed.flags.contains("insecure") {
            for host in (registry.map { [$0] } ?? []) + extraInsecure {
                insecure.insert(host)
                options.insecureHosts.insert(host)
            }
        }
        options.transport = context.makeClient(insecure, options.explain)
        return try RegistryClient(options: options)
    }

    /// Parses a reference with registry.json's `default_registry`.
    static func reference(_ text: String, context: CommandContext) throws -> ImageReference {
        let config = try RegistryConfig.load(environment: context.environment)
        return try ImageReference.parse(text, defaultRegistry: config.defaultRegistry ?? DockerHub.registry)
    }

    /// The progress reporter for a command: bars on a terminal unless `--quiet`, nothing otherwise.
    static func progress(quiet: Bool, context: CommandContext, verb: String) -> any ProgressReporter {
        guard !quiet, context.stderrIsTerminal else { return SilentProgress() }
        return TerminalProgress(fd: 2, verb: verb)
    }
}

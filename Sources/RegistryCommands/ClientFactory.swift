import AuthCore
import RegistryClient
import RegistryVocabulary

/// Builds the registry client a command uses from its context and common options (`--insecure`, `--explain`).
enum ClientFactory {
    /// The options every registry command shares.
    static let commonOptions: [CommandOption] = [.insecure, .explain]

    /// A client for `registries` (the ones named on the command line); `--insecure` adds them to registry.json's
    /// insecure hosts. Retry notes go to `progress` (above its bars), or straight to a terminal when the command
    /// draws no bars.
    static func make(
        for registries: [String], parsed: ParsedArguments, context: CommandContext,
        progress: (any ProgressReporter)? = nil
    ) throws -> RegistryClient {
        var options = ClientOptions(environment: context.environment)
        options.config = context.config
        options.explain = nil
        if let sink = context.explainSink(forced: parsed.has("explain")) {
            options.explain = { line in sink(ClientOptions.explanationLine(line)) }
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
        options.maxConcurrentTransfers = try jobs(parsed, context: context)
        if parsed.has("insecure") { options.insecureHosts.formUnion(registries) }
        options.transport = context.makeClient(
            Set(context.config.insecure).union(options.insecureHosts), options.explain)
        return try RegistryClient(options: options)
    }

    /// Transfers at once: `--jobs N`, else `OSSB_MAX_CONCURRENT`, else the default; both validated alike.
    static func jobs(_ parsed: ParsedArguments, context: CommandContext) throws -> Int {
        if let text = parsed.values["jobs"] { return try jobs(text) }
        return try context.environment.count(
            "OSSB_MAX_CONCURRENT", default: ClientOptions.defaultConcurrentTransfers,
            maximum: ClientOptions.maximumConcurrentTransfers)
    }

    /// The value of `--jobs`, validated like `OSSB_MAX_CONCURRENT`.
    /// - Throws: `ConfigurationError` naming `--jobs`, the value and what to do.
    static func jobs(_ text: String) throws -> Int {
        try Environment.count(
            text, named: "--jobs", default: ClientOptions.defaultConcurrentTransfers,
            maximum: ClientOptions.maximumConcurrentTransfers)
    }

    /// Parses a reference with registry.json's `default_registry`.
    static func reference(_ text: String, context: CommandContext) throws -> ImageReference {
        try ImageReference.parse(text, defaultRegistry: context.config.defaultRegistry ?? DockerHub.registry)
    }

    /// The platform `--platform` names, if given.
    /// - Throws: `UsageError` when `--all-platforms` is given too; `PlatformError` for a malformed one (a usage
    ///   error).
    static func platform(_ parsed: ParsedArguments) throws -> Platform? {
        try parsed.requireNotBoth("platform", "all-platforms")
        return try parsed.values["platform"].map(Platform.parse)
    }

    /// The progress reporter for a command: bars on a terminal unless `--quiet`, nothing otherwise.
    static func progress(quiet: Bool, context: CommandContext, verb: String) -> any ProgressReporter {
        guard !quiet, context.stderrIsTerminal else { return SilentProgress() }
        return TerminalProgress(fd: 2, verb: verb)
    }
}

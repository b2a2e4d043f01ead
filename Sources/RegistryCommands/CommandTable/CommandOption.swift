import AuthCore

/// One row of a command's option table: how it is spelled, whether it takes a value, and its help line.
struct CommandOption: Sendable {
    /// The long name, without `--`.
    let long: String
    /// The one-letter name, without `-`.
    let short: Character?
    /// The value's name in help (`DIR`); `nil` for a flag.
    let value: String?
    /// The help text (one sentence; the help page wraps it).
    let help: String
    /// Whether the command refuses to run without it ("--output DIR is required").
    var required = false
    /// What a shell offers for the value.
    var completion: ValueCompletion = .none
    /// Checks the value while the arguments are read, so that a bad one is a usage error (exit 2) before the
    /// command starts.
    var validate: (@Sendable (String) throws -> Void)? = nil

    /// Creates an option; `value` names its value, or is `nil` for a flag.
    init(
        _ long: String, short: Character? = nil, value: String? = nil, help: String, required: Bool = false,
        completion: ValueCompletion = .none, validate: (@Sendable (String) throws -> Void)? = nil
    ) {
        self.long = long
        self.short = short
        self.value = value
        self.help = help
        self.required = required
        self.completion = completion
        self.validate = validate
    }

    var takesValue: Bool { value != nil }

    /// `-o, --output DIR` as the options section and the usage line show it.
    var synopsis: String {
        let names = (short.map { "-\($0), " } ?? "") + "--\(long)"
        return value.map { "\(names) \($0)" } ?? names
    }

    /// Every spelling (`-o`, `--output`), for completions.
    var spellings: [String] { (short.map { ["-\($0)"] } ?? []) + ["--\(long)"] }

    /// The same option with another help line (a command whose `--insecure` covers two registries).
    func helping(_ text: String) -> CommandOption {
        CommandOption(
            long, short: short, value: value, help: text, required: required, completion: completion,
            validate: validate)
    }
}

extension CommandOption {
    /// Every command has it; the table adds it.
    static let help = CommandOption("help", short: "h", help: "Show this help")
    /// The registry commands' `--insecure`.
    static let insecure = CommandOption(
        "insecure", help: "Allow plain http or an unverified certificate for this registry")
    /// The registry commands' `--explain`.
    static let explain = CommandOption(
        "explain", help: "Show which credentials and endpoints are used (never a secret)")
    /// The transfer commands' `--quiet`.
    static let quiet = CommandOption(
        "quiet", short: "q", help: "No progress bars (they are shown only when stderr is a terminal)")
    /// The transfer commands' `--jobs N`.
    static let jobs = CommandOption(
        "jobs", short: "j", value: "N", help: "Transfer at most N blobs at once (default 6, or OSSB_MAX_CONCURRENT)",
        validate: { text in
            do { _ = try ClientFactory.jobs(text) } catch let error as ConfigurationError {
                throw UsageError("\(error)")
            }
        })
    /// `--all-platforms` of pull and copy.
    static func allPlatforms(_ help: String) -> CommandOption { CommandOption("all-platforms", help: help) }
    /// `--platform` of inspect, pull and copy.
    static func platform(_ help: String) -> CommandOption {
        CommandOption("platform", value: "OS/ARCH[/VARIANT]", help: help, completion: .platforms)
    }
}

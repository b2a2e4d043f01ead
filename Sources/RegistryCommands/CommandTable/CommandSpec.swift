/// A command's table: its name, what it is for, its positionals and options. The command line parses by it,
/// the help page and the shell completions are written from it, so the three never disagree.
struct CommandSpec: Sendable {
    /// The word that names the command (`pull`).
    let name: String
    /// One line for `ossb-registry --help` and the zsh completion.
    let summary: String
    /// The paragraphs between the usage line and the options, already wrapped.
    let discussion: String
    /// The positional arguments, in order; the command takes exactly these.
    var positionals: [CommandPositional]
    /// The usage error when none of them was given ("name the registry to log in to").
    var missing: String?
    /// The options, without `--help` (every command has it).
    var options: [CommandOption]
    /// The help page's exit-status line.
    var exitStatus = "0 success, 1 failure (one line on stderr), 2 usage error."
    /// Whether the command reads registry.json (the command line then loads it once, before running it).
    var readsConfiguration = true
    /// A command for scripts (`completions`), left out of the command list and the completions.
    var hidden = false

    /// Every option the command accepts.
    var allOptions: [CommandOption] { options + [.help] }

    /// Checks the positionals' count (and a positional's fixed words) and the required options.
    /// - Throws: `UsageError` saying what is missing or extra.
    func check(_ parsed: ParsedArguments) throws {
        let given = parsed.positionals
        if given.isEmpty && !positionals.isEmpty, let missing { throw UsageError(missing) }
        if positionals.count == 1, case .choices(let words) = positionals[0].completion {
            guard given.count == 1, words.contains(given[0]) else {
                throw UsageError("expected \(words.joined(separator: " or ")), got \(given.joined(separator: " "))")
            }
        } else if given.count != positionals.count {
            if positionals.count == 1 { throw UsageError("expected one \(positionals[0].noun), got \(given.count)") }
            let expected = positionals.map { "a \($0.noun)" }.joined(separator: " and ")
            throw UsageError("expected \(expected), got \(given.count) argument\(given.count == 1 ? "" : "s")")
        }
        for option in options {
            if let validate = option.validate, let value = parsed.values[option.long] { try validate(value) }
        }
        for option in options where option.required && (parsed.values[option.long] ?? "").isEmpty {
            throw UsageError("--\(option.long) \(option.value ?? "") is required")
        }
    }
}

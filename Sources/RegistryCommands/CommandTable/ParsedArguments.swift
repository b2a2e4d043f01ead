/// Arguments split into options and positionals by a command's option table. Options may come before or
/// after positionals; `--` ends the options; `--name=value` and `-u value` both work.
struct ParsedArguments {
    /// The options given with a value, by long name (the last one given wins).
    var values: [String: String] = [:]
    /// The flags given, by long name.
    var flags: Set<String> = []
    /// The other arguments, in order.
    var positionals: [String] = []

    /// Parses `arguments` against `options`.
    /// - Throws: `UsageError` for an unknown option, a missing value, or a value given to a flag.
    init(_ arguments: [String], options: [CommandOption]) throws {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            if argument == "--" {
                positionals += rest
                break
            }
            guard argument.hasPrefix("-"), argument != "-" else {
                positionals.append(argument)
                continue
            }
            var name = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let option = options.first(where: { $0.spellings.contains(name) }) else {
                throw UsageError("unknown option \(name)")
            }
            if option.takesValue {
                guard let value = inlineValue ?? rest.popFirst() else { throw UsageError("\(name) needs a value") }
                values[option.long] = value
            } else {
                guard inlineValue == nil else { throw UsageError("\(name) takes no value") }
                flags.insert(option.long)
            }
        }
    }

    /// Whether the flag `long` was given.
    func has(_ long: String) -> Bool { flags.contains(long) }

    /// Refuses two options given together.
    /// - Throws: `UsageError` naming both.
    func requireNotBoth(_ first: String, _ second: String) throws {
        let given = { (long: String) in values[long] != nil || flags.contains(long) }
        if given(first) && given(second) { throw UsageError("--\(first) and --\(second) exclude each other") }
    }
}

/// A command line that does not follow a command's synopsis: exit status 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

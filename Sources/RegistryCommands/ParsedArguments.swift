/// Arguments split into options and positionals by a command's option table. Options may come before or
/// after positionals (as docker and skopeo accept them); `--` ends the options; `--name=value` and `-u value` both work.
struct ParsedArguments {
    /// An option a command accepts.
    struct Option {
        let long: String
        let short: Character?
        let takesValue: Bool
    }

    var values: [String: String] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []

    /// Parses `arguments` against `options`.
    /// - Throws: `UsageError` for an unknown option or a missing value.
    init(_ arguments: [String], options: [Option]) throws {
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
            let option = options.first { "--\($0.long)" == name || $0.short.map { "-\($0)" } == name }
            guard let option else { throw UsageError("unknown option \(name)") }
            if option.takesValue {
                guard let value = inlineValue ?? rest.popFirst() else {
                    throw UsageError("\(name) needs a value")
                }
                values[option.long] = value
            } else {
                guard inlineValue == nil else { throw UsageError("\(name) takes no value") }
                flags.insert(option.long)
            }
        }
    }
}

/// A command line that does not follow a command's synopsis: exit status 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

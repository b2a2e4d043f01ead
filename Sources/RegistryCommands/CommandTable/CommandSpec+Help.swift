extension CommandSpec {
    /// How the command is called: `pull REFERENCE --output DIR`, with its positionals and required options.
    var synopsis: String {
        let required = options.filter(\.required).map { "--\($0.long)" + ($0.value.map { " \($0)" } ?? "") }
        return ([name] + positionals.map(\.name) + required).joined(separator: " ")
    }

    /// `ossb-registry COMMAND --help`: the usage line, the discussion, the options, the exit statuses.
    var helpText: String {
        """
        Usage: ossb-registry \(synopsis) [OPTIONS]

        \(discussion)

        Options:
        \(HelpLayout.columns(allOptions.map { ($0.synopsis, $0.help) }))
        Exit status: \(exitStatus)

        """
    }
}

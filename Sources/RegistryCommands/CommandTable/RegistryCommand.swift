/// A command of `ossb-registry`. `RegistryCommandLine` parses the arguments by `spec`, answers `--help`, checks
/// the positionals and required options, loads registry.json into the context, then creates the command
/// (which reads the rest of its arguments) and runs it.
protocol RegistryCommand: Sendable {
    /// The command's table.
    static var spec: CommandSpec { get }

    /// Reads the parsed arguments.
    /// - Throws: `UsageError`, `ImageReferenceError` or `PlatformError` for arguments that make no sense (exit
    ///   2); anything else is a failure (exit 1).
    init(_ arguments: ParsedArguments, context: CommandContext) throws

    /// Does the work and writes its result to standard output.
    /// - Throws: the failure, reported as one line (exit 1).
    func run(context: CommandContext) async throws
}

/// A failure a command words itself ("no password was given; ..."): exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

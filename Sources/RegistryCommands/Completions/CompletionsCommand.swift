/// `ossb-registry completions bash|zsh`: prints the shell's completion script, written from the command table
/// (scripts/install.sh installs them from it), so every command and option is completed as `--help` lists it.
struct CompletionsCommand: RegistryCommand {
    static let spec = CommandSpec(
        name: "completions", summary: "Print the completion script for bash or zsh",
        discussion: """
            Print the completion script for bash or zsh on standard output. install.sh installs both; to try the bash
            one in the current shell: source <(ossb-registry completions bash)
            """,
        positionals: [CommandPositional(name: "bash|zsh", noun: "shell", completion: .choices(["bash", "zsh"]))],
        missing: "name the shell: bash or zsh", options: [], exitStatus: "0 success, 2 usage error.",
        readsConfiguration: false, hidden: true)

    let shell: String

    init(_ arguments: ParsedArguments, context: CommandContext) throws {
        shell = arguments.positionals[0]
    }

    func run(context: CommandContext) async throws {
        let commands = RegistryCommandLine.listedCommands
        let options = RegistryCommandLine.topOptions
        context.writeOutput(
            shell == "bash"
                ? BashCompletion.script(commands, topOptions: options)
                : ZshCompletion.script(commands, topOptions: options))
    }
}

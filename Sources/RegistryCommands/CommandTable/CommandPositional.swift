/// One positional argument of a command.
struct CommandPositional: Sendable {
    /// Its name in the usage line (`REFERENCE`, `DIR[:NAME]`).
    let name: String
    /// What it is, for errors ("expected one reference") and the zsh completion's message.
    let noun: String
    /// What a shell offers for it.
    var completion: ValueCompletion = .none
}

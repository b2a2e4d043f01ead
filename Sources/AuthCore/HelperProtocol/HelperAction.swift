/// What a helper was asked to do: the single argument of `docker-credential-<name> <action>`.
public enum HelperAction: Sendable, Equatable {
    case store, get, erase, list, version, help

    /// Parses the argument vector after the program name. `nil` means a usage error.
    /// docker-credential-helpers v0.9 also accept `-v`/`--version` and `-h`/`--help`.
    public init?(arguments: [String]) {
        guard arguments.count == 1 else { return nil }
        switch arguments[0] {
        case "store": self = .store
        case "get": self = .get
        case "erase": self = .erase
        case "list": self = .list
        case "version", "-v", "--version": self = .version
        case "-h", "--help": self = .help
        default: return nil
        }
    }
}

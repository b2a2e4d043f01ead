import AuthCore

/// `ossb-registry logout REGISTRY`: removes the stored credentials for a registry from the writable store.
enum LogoutCommand {
    static let help = """
        Usage: ossb-registry logout REGISTRY

        Remove the credentials stored for REGISTRY by `ossb-registry login` (or `docker login`, podman or skopeo
        through the suite's helpers): every stored spelling of the address (`host`, `https://host`,
        `https://host/v1/`, Docker Hub's names), so that none is used afterwards. Logging out of a registry
        with no stored credentials succeeds and says so.

        Options:
          --help   Show this help

        Exit status: 0 logged out (or was not logged in), 1 the store could not be changed, 2 usage error.

        """

    static func run(_ arguments: [String], context: CommandContext) async -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ParsedArguments(arguments, options: [ParsedArguments.Option(long: "help", short: "h", takesValue: false)])
            if parsed.flags.contains("help") {
                context.writeOutput(help)
                return ExitStatus.success
            }
            guard parsed.positionals.count == 1 else {
                throw UsageError(parsed.positionals.isEmpty ? "name the registry to log out of" : "expected one registry, got \(parsed.positionals.count)")
            }
        } catch let error as UsageError {
            return RegistryCommandLine.usageError("logout", error, context: context)
        } catch {
            return RegistryCommandLine.failure("logout", "\(error)", context: context)
        }
        let registry = parsed.positionals[0]
        let key = RegistryKey.key(for: registry)
        do {
            let store = try context.resolveStore(context.environment)
            // Logged in means some stored spelling would serve the registry; erase removes every such key
            // (`ServerAddress.matches`), for the key login writes and for the spelling the user typed.
            let present = try store.get(key) != nil || store.get(registry) != nil
            guard present else {
                context.writeOutput("Not logged in to \(key)\n")
                return ExitStatus.success
            }
            for k in Set([key, registry]) { try store.erase(k) }
            if try store.get(key) != nil {
                return RegistryCommandLine.failure("logout", "credentials for \(key) remain after erasing them; remove them from the store by hand", context: context)
            }
        } catch {
            return RegistryCommandLine.failure("logout", "cannot remove the credentials for \(key): \(error)", context: context)
        }
        context.writeOutput("Removing login credentials for \(key)\n")
        return ExitStatus.success
    }
}

import AuthCore

/// `ossb-registry logout REGISTRY`: removes the stored credentials for a registry from the writable store.
struct LogoutCommand: RegistryCommand {
    static let spec = CommandSpec(
        name: "logout", summary: "Remove the stored credentials for a registry",
        discussion: """
            Remove the credentials stored for REGISTRY by `ossb-registry login` (or `docker login`, podman or skopeo
            through the suite's helpers): every stored spelling of the address (`host`, `https://host`,
            `https://host/v1/`, Docker Hub's names), so that none is used afterwards. Logging out of a registry
            with no stored credentials succeeds and says so.
            """,
        positionals: [CommandPositional(name: "REGISTRY", noun: "registry")],
        missing: "name the registry to log out of", options: [],
        exitStatus: "0 logged out (or was not logged in), 1 the store could not be changed, 2 usage error.")

    let registry: String

    init(_ arguments: ParsedArguments, context: CommandContext) throws {
        registry = arguments.positionals[0]
    }

    func run(context: CommandContext) async throws {
        let key = RegistryKey.key(for: registry)
        do {
            let store = try context.resolveStore(context.config, context.environment)
            // Logged in means some stored spelling would serve the registry; erase removes every such key
            // (`ServerAddress.matches`), for the key login writes and for the spelling the user typed.
            let present = try store.get(key) != nil || store.get(registry) != nil
            guard present else {
                context.writeOutput("Not logged in to \(key)\n")
                return
            }
            for k in Set([key, registry]) { try store.erase(k) }
            if try store.get(key) != nil {
                throw CommandFailure(
                    "credentials for \(key) remain after erasing them; remove them from the store by hand")
            }
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure("cannot remove the credentials for \(key): \(error)")
        }
        context.writeOutput("Removing login credentials for \(key)\n")
    }
}

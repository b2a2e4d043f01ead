/// The `registries` entries of registry.json.
public struct RegistryConfigSource: CredentialSource {
    /// The configuration.
    public let config: RegistryConfig
    public var name: String { config.path.map { "registry (\($0))" } ?? "registry (no registry.json)" }

    /// A source over a loaded configuration.
    public init(config: RegistryConfig) {
        self.config = config
    }

    public func credentials(for request: CredentialRequest) throws -> Credentials? {
        guard let entry = config.registryEntry(for: request.serverURL) else { return nil }
        let credentials = entry.credentials
        return credentials.isEmpty ? nil : credentials
    }

    public func list() throws -> [String: String] {
        var result: [String: String] = [:]
        for (host, entry) in config.registries where !entry.credentials.isEmpty {
            result[host] = entry.username.isEmpty ? "<registry token>" : entry.username
        }
        return result
    }
}

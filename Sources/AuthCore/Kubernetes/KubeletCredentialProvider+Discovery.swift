extension KubeletCredentialProvider {
    /// The lookup the plugin uses: AuthCore's discovery (`AuthProvider`, registry.json's `credential_sources`
    /// order), taking only a username and password, the one kind kubelet's response can carry; a source
    /// holding a token is passed over and the search goes on.
    /// - Parameter environment: the process environment; with `OSSB_EXPLAIN=1` discovery's explanation goes to
    ///   stderr, and warnings (such as how to bind environment credentials to a host) always do (kubelet keeps
    ///   a plugin's stderr for its log; it never holds a secret).
    /// - Throws: `ConfigurationError` when registry.json is malformed.
    public static func discoveryLookup(environment: Environment) throws -> RegistryLookup {
        var explain: (@Sendable (String) -> Void)? = nil
        if environment.flag("OSSB_EXPLAIN") {
            explain = { line in StandardStreams.write("\(Self.name): explain: \(line)\n", to: 2) }
        }
        let warn: @Sendable (String) -> Void = { line in
            StandardStreams.write("\(Self.name): warning: \(line)\n", to: 2)
        }
        return lookup(using: try AuthProvider(environment: environment, explain: explain, warn: warn))
    }

    /// A lookup over a discovery, accepting only a username with a password.
    public static func lookup(using provider: AuthProvider) -> RegistryLookup {
        { registryHost in
            try provider.discover(registryHost) { credentials in
                !credentials.username.isEmpty && !credentials.password.isEmpty
                    && credentials.identityToken.isEmpty && credentials.registryToken.isEmpty
            }?.credentials
        }
    }
}

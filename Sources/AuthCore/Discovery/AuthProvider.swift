/// Credential discovery: which source holds credentials for a registry.
///
/// Given a registry, it looks in registry.json's `credential_sources` order (default: env, registry, k8s,
/// cloud, keyring, file, docker, containers) and the first source with credentials wins. A registry matched by a
/// `credential_helpers` pattern is served by that external helper alone, so a pull never runs helpers meant
/// for other registries.
///
/// Failures: a malformed file (registry.json, config.json, `DOCKER_AUTH_CONFIG`, an auth.json, a secret) or a
/// failing helper stops the search with an error naming it, because continuing would turn a fixable mistake
/// into a puzzling "unauthorized". A helper that is not installed, or a keyring that is not running, is noted
/// on the warning channel and skipped: both are common, expected states of a machine.
public struct AuthProvider: Sendable {
    /// The configuration in use.
    public let config: RegistryConfig
    /// The environment discovery reads.
    public let environment: Environment
    /// The sources in lookup order.
    public let sources: [any CredentialSource]
    let runner: HelperRunner
    let explainSink: (@Sendable (String) -> Void)?
    let warn: @Sendable (String) -> Void

    /// Creates a provider (the Go package's `NewAuthProvider`).
    /// - Parameters:
    ///   - config: registry.json's content; `nil` loads it from the environment (`OSSB_CONFIG`, `~/.ossb/registry.json`).
    ///   - environment: the variables to read; defaults to the process's.
    ///   - explain: receives the explanation lines (`OSSB_EXPLAIN=1` mode); never a secret.
    ///   - warn: receives notes about skipped sources (a missing helper, no keyring).
    /// - Throws: `ConfigurationError` when registry.json is malformed.
    public init(
        config: RegistryConfig? = nil, environment: Environment = .current,
        explain: (@Sendable (String) -> Void)? = nil, warn: @escaping @Sendable (String) -> Void = { _ in }
    ) throws {
        let config = try config ?? RegistryConfig.load(environment: environment)
        // A bad number is reported at once, not only when a helper happens to run (or is skipped by a `try?`).
        _ = try HelperClient.timeout(in: environment)
        self.config = config
        self.environment = environment
        self.explainSink = explain
        self.warn = warn
        let runner = HelperRunner(environment: environment)
        self.runner = runner
        let note: @Sendable (String) -> Void = { message in
            warn(message)
            explain?(message)
        }
        let explainOnly: @Sendable (String) -> Void = { explain?($0) }
        self.sources = config.credentialSources.compactMap { name in
            Self.makeSource(
                name, config: config, environment: environment, runner: runner, note: note, explain: explainOnly)
        }
    }

    /// Builds one named source.
    static func makeSource(
        _ name: CredentialSourceName, config: RegistryConfig, environment: Environment, runner: HelperRunner,
        note: @escaping @Sendable (String) -> Void, explain: @escaping @Sendable (String) -> Void
    ) -> (any CredentialSource)? {
        switch name {
        case .env: return StoreSource(EnvironmentStore(environment: environment, warn: note))
        case .registry: return RegistryConfigSource(config: config)
        case .k8s: return kubernetesSource(config: config, environment: environment)
        case .cloud: return CloudSource(runner: runner, note: note)
        case .keyring: return KeyringSource(environment: environment, runner: runner, note: note, explain: explain)
        case .file: return (try? FileStore(environment: environment)).map { StoreSource($0) }
        case .docker: return DockerConfigSource(environment: environment, runner: runner, note: note, explain: explain)
        case .containers:
            return ContainersAuthSource(environment: environment, runner: runner, note: note, explain: explain)
        }
    }

    /// The mounted Kubernetes secrets source (`OSSB_K8S_SECRETS_DIR`); an Opaque secret without a `registry`
    /// key serves registry.json's `default_registry`.
    static func kubernetesSource(config: RegistryConfig, environment: Environment) -> (any CredentialSource)? {
        KubernetesSecretStore(environment: environment, defaultRegistry: config.defaultRegistry)
    }

    func explain(_ line: @autoclosure () -> String) {
        explainSink?(line())
    }

    /// Finds credentials for a registry, with the source that had them.
    /// - Parameters:
    ///   - serverURL: the registry (`docker.io`, `https://index.docker.io/v1/`, `127.0.0.1:5000`).
    ///   - repository: the repository, when known (for namespaced auth.json keys).
    ///   - accept: filters answers; a rejected answer lets the search go on (the front uses it to skip
    ///     registry tokens, which the helper protocol cannot carry).
    /// - Returns: the first answer, or `nil` when no source has credentials.
    /// - Throws: `ConfigurationError`, `CredentialStoreError` or `HelperClientError` from the source that failed.
    public func discover(
        _ serverURL: String, repository: String? = nil, accept: (Credentials) -> Bool = { _ in true }
    ) throws -> DiscoveryResult? {
        let request = CredentialRequest(serverURL: serverURL, repository: repository)
        explain("credentials for \(request.host)" + (repository.map { " (repository \($0))" } ?? ""))
        if let helper = config.helper(forHost: request.host) {
            explain("credential_helpers: \(request.host) is served by docker-credential-\(helper) alone")
            if let refusal = runner.refusal(for: helper) {
                explain(refusal)
                return nil
            }
            let answer = try runner.client(helper).get(request.serverURL)?.credentials
            guard let answer, !answer.isEmpty, accept(answer) else {
                explain("docker-credential-\(helper): no credentials")
                return nil
            }
            explain("answered by docker-credential-\(helper): \(answer.kind)")
            return DiscoveryResult(credentials: answer, source: "docker-credential-\(helper)")
        }
        for source in sources {
            if let reason = source.skipReason(for: request) {
                explain("\(source.name): \(reason), not asked")
                continue
            }
            let answer: Credentials?
            do {
                answer = try source.credentials(for: request)
            } catch {
                explain("\(source.name): failed: \(error)")
                throw error
            }
            guard let answer, !answer.isEmpty else {
                explain("\(source.name): no credentials")
                continue
            }
            guard accept(answer) else {
                explain("\(source.name): has a \(answer.kind), which this caller cannot use; looking further")
                continue
            }
            explain(
                "answered by \(source.name): \(answer.kind)"
                    + (answer.username.isEmpty ? "" : " for user \(answer.username)"))
            return DiscoveryResult(credentials: answer, source: source.name)
        }
        explain("no source has credentials for \(request.host)")
        return nil
    }

    /// The credentials for a registry, or `nil` (the Go package's `DiscoverCredentials`).
    public func discoverCredentials(registry: String, repository: String? = nil) throws -> Credentials? {
        try discover(registry, repository: repository)?.credentials
    }

    /// Every server address any source holds credentials for, with its user name: the union over sources, the
    /// first source in order winning for an address. A source that fails is noted and skipped, so that one
    /// broken file does not hide everything else.
    public func listAll() -> [String: String] {
        var result: [String: String] = [:]
        for source in sources {
            do {
                for (server, user) in try source.list() where result[server] == nil {
                    result[server] = user
                }
            } catch {
                warn("\(source.name): skipped in list: \(error)")
            }
        }
        return result
    }
}

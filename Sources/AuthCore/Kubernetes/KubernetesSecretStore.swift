/// The Kubernetes backend: read-only credentials from secrets mounted into a pod, under
/// `/var/run/secrets/registry` (`OSSB_K8S_SECRETS_DIR`). It serves `docker-credential-ossb-k8s` and is the
/// `k8s` source of AuthCore's discovery.
///
/// Two layouts are detected:
/// - one secret mounted at the directory itself (it holds `..data` or one of the keys `MountedSecret` reads);
/// - several secrets side by side, one subdirectory each; subdirectories that hold no secret are ignored.
///   Secrets are consulted in the order of their directory names.
///
/// Nothing is cached: every call lists and reads the mount again, so secrets kubelet adds, removes or rotates
/// are seen at once. A missing directory holds no credentials (the helper then behaves as an empty store
/// outside a pod); a secret that cannot be read or does not hold what it must is an error naming its file,
/// never skipped silently, so that a broken secret cannot hand out another secret's credentials.
public struct KubernetesSecretStore: ReadOnlyCredentialStore {
    /// The mount point.
    public let directory: String
    /// The registry an Opaque secret without a `registry` key serves (registry.json's `default_registry`);
    /// `nil` means Docker Hub.
    public let defaultRegistry: String?

    public var name: String { "k8s" }

    /// A store over an explicit directory.
    /// - Parameters:
    ///   - directory: where the secrets are mounted.
    ///   - defaultRegistry: registry.json's `default_registry`, or `nil`.
    public init(directory: String, defaultRegistry: String?) {
        self.directory = directory
        self.defaultRegistry = defaultRegistry
    }

    /// The store the environment names: `OSSB_K8S_SECRETS_DIR`, else `/var/run/secrets/registry`.
    public init(environment: Environment, defaultRegistry: String?) {
        self.init(
            directory: OSSBPaths(environment: environment).kubernetesSecretsDirectory, defaultRegistry: defaultRegistry)
    }

    /// The secrets mounted now, in the order they are consulted.
    /// - Throws: `CredentialStoreError` when the directory exists but cannot be listed.
    public func secrets() throws -> [MountedSecret] {
        if MountedSecret.isSecret(directory) { return [MountedSecret(path: directory)] }
        return try SecretDirectory.entries(of: directory)
            .filter { !$0.hasPrefix("..") }
            .map { "\(directory)/\($0)" }
            .filter { SecretDirectory.isDirectory($0) && MountedSecret.isSecret($0) }
            .map { MountedSecret(path: $0) }
    }

    /// Every registry served by every secret, in the order they are consulted.
    /// - Throws: `CredentialStoreError` for the first secret that cannot be read.
    public func entries() throws -> [MountedSecret.Entry] {
        try secrets().flatMap { try $0.entries(defaultRegistry: defaultRegistry) }
    }

    /// The credentials for a registry in any form (a registry token included), for AuthCore's discovery.
    /// - Parameter serverURL: a server address or registry host.
    /// - Returns: the first entry whose server is exactly `serverURL`, else the first whose normalised form
    ///   matches; `nil` when no secret serves it.
    /// - Throws: `CredentialStoreError` when a secret cannot be read.
    public func credentials(for serverURL: String) throws -> Credentials? {
        try bestEntry(for: serverURL, in: entries().filter { !$0.credentials.isEmpty })?.credentials
    }

    public func get(_ serverURL: String) throws -> HelperCredential? {
        // A registry token has no form in the helper protocol; such entries are passed over.
        let usable = try entries().filter {
            HelperCredential(serverURL: $0.server, credentials: $0.credentials) != nil && !$0.credentials.isEmpty
        }
        guard let entry = bestEntry(for: serverURL, in: usable) else { return nil }
        return HelperCredential(serverURL: serverURL, credentials: entry.credentials)
    }

    public func storeInstead(_ credential: HelperCredential) -> String {
        "create a Kubernetes secret instead (kubectl create secret docker-registry) and mount it at \(directory)"
    }

    public var eraseInstead: String { "delete or edit the Kubernetes secret instead (kubectl delete secret)" }

    /// Every registry served, with its user name (`<token>` for an identity token). Where two secrets serve
    /// the same address the first is listed, as `get` would use it. Never a secret.
    public func list() throws -> [String: String] {
        var result: [String: String] = [:]
        for entry in try entries() where result[entry.server] == nil {
            if !entry.credentials.isEmpty,
                let credential = HelperCredential(serverURL: entry.server, credentials: entry.credentials)
            {
                result[entry.server] = credential.username
            }
        }
        return result
    }

    /// The exact match first, then the first whose registry form (below) matches the request's.
    private func bestEntry(for serverURL: String, in entries: [MountedSecret.Entry]) -> MountedSecret.Entry? {
        if let exact = entries.first(where: { $0.server == serverURL }) { return exact }
        let target = Self.registryForm(serverURL)
        return entries.first { Self.registryForm($0.server) == target }
    }

    /// The normalised address without a final `/v1` or `/v2`: `.dockercfg` secrets carry docker's legacy keys
    /// (`https://registry.example.com/v1/`), which name the registry itself, as kubelet's own keyring reads them.
    static func registryForm(_ address: String) -> String {
        var normalized = ServerAddress.normalize(address)
        if normalized.hasSuffix("/v1") || normalized.hasSuffix("/v2") { normalized.removeLast(3) }
        return ServerAddress.normalize(normalized)
    }
}

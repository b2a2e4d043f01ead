/// Where OSSB keeps its files, each with a default and an `OSSB_*` override (see docs/configuration.md).
package struct OSSBPaths: Sendable, Equatable {
    /// registry.json: `OSSB_CONFIG`, else `~/.ossb/registry.json`.
    package var registryConfig: String?
    /// The file backend's store: `OSSB_CREDENTIALS_FILE`, else `~/.ossb/credentials.json`.
    package var credentialsFile: String?
    /// Mounted Kubernetes secrets: `OSSB_K8S_SECRETS_DIR`, else `/var/run/secrets/registry`.
    package var kubernetesSecretsDirectory: String
    /// The blob cache: `OSSB_CACHE_DIR`, else `$XDG_CACHE_HOME/ossb`, else `~/.cache/ossb`.
    package var cacheDirectory: String?
    /// `certs.d` directories searched in order: `OSSB_CERTS_D` (colon-separated), else docker's, containers'
    /// system-wide and containers' per-user directories.
    package var certsDirectories: [String]
    /// The home directory from `HOME`, when set.
    package var home: String?

    /// Resolves every path from an environment.
    package init(environment: Environment) {
        let home = environment["HOME"].map { $0.count > 1 && $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.home = home
        registryConfig = environment["OSSB_CONFIG"] ?? home.map { "\($0)/.ossb/registry.json" }
        credentialsFile = environment["OSSB_CREDENTIALS_FILE"] ?? home.map { "\($0)/.ossb/credentials.json" }
        kubernetesSecretsDirectory = environment["OSSB_K8S_SECRETS_DIR"] ?? "/var/run/secrets/registry"
        if let cache = environment["OSSB_CACHE_DIR"] {
            cacheDirectory = cache
        } else if let xdg = environment["XDG_CACHE_HOME"] {
            cacheDirectory = "\(xdg)/ossb"
        } else {
            cacheDirectory = home.map { "\($0)/.cache/ossb" }
        }
        if let list = environment["OSSB_CERTS_D"] {
            certsDirectories = list.split(separator: ":").map(String.init)
        } else {
            certsDirectories =
                ["/etc/docker/certs.d", "/etc/containers/certs.d"]
                + (home.map { ["\($0)/.config/containers/certs.d"] } ?? [])
        }
    }
}

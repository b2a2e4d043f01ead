import RegistryVocabulary

/// How server addresses are compared.
///
/// Clients do not agree on how to name a registry: docker sends `https://index.docker.io/v1/` for Docker Hub,
/// podman and skopeo send `docker.io`; `docker login https://r.example/` and `r.example` mean one registry.
/// Stores keep the key exactly as given by `store`; `get` tries the exact key first and then any key that
/// `matches`; `erase` removes every key that `matches`, so that what `get` would serve is gone.
public enum ServerAddress {
    /// The canonical name of Docker Hub in normalised form; kept for existing callers, `DockerHub.registry` is
    /// its home.
    public static let dockerHub = DockerHub.registry

    /// The key docker itself uses for Docker Hub; kept for existing callers, `DockerHub.legacyKey` is its home.
    public static let dockerHubLegacyKey = DockerHub.legacyKey

    /// The normalised form of a server address: surrounding white space, the scheme and trailing slashes
    /// stripped, the host (not the path) lower-cased (ASCII letters only: `asciiLowercased`), and Docker Hub's names folded into `docker.io`.
    /// - Parameter address: a server address as a client sent it.
    /// - Returns: the form used for matching.
    public static func normalize(_ address: String) -> String {
        var s = Substring(address.trimmingWhitespace())
        if let schemeEnd = s.firstRange(of: "://") {
            s = s[schemeEnd.upperBound...]
        }
        while s.hasSuffix("/") { s = s.dropLast() }
        let host: Substring
        let rest: Substring
        if let slash = s.firstIndex(of: "/") {
            host = s[..<slash]
            rest = s[slash...]
        } else {
            host = s
            rest = ""
        }
        // Docker Hub's host names, alone or with docker's legacy `/v1` path, all mean `docker.io`.
        if DockerHub.isDockerHub(host), rest.isEmpty || rest == "/v1" { return DockerHub.registry }
        return host.asciiLowercased() + rest
    }

    /// The host (with port) of an address: the normalised form without any path.
    public static func host(of address: String) -> String {
        let normalized = normalize(address)
        if let slash = normalized.firstIndex(of: "/") { return String(normalized[..<slash]) }
        return normalized
    }

    /// The form keys are compared in: the normalised form without docker's legacy API path. docker, podman
    /// and older `docker login` runs store keys such as `https://host/v1/` and `https://host/v2/`; they name
    /// the registry `host`, not a repository `v1` on it.
    public static func registryKey(_ address: String) -> String {
        let normalized = normalize(address)
        for suffix in ["/v1", "/v2"] where normalized.hasSuffix(suffix) {
            let host = normalized.dropLast(suffix.count)
            if !host.isEmpty, !host.contains("/") { return normalize(String(host)) }
        }
        return normalized
    }

    /// Whether a stored key serves a requested address: THE predicate every store uses, for `get` (after the
    /// exact key) and for `erase` (which removes every key that matches, so that after a logout no spelling
    /// of the address is served any more).
    /// - Parameters:
    ///   - stored: a key as a store holds it.
    ///   - requested: the address a client asked for.
    public static func matches(_ stored: String, _ requested: String) -> Bool {
        stored == requested || registryKey(stored) == registryKey(requested)
    }

    /// Finds the key of `keys` that serves `requested`: the exact key first, then the first key (in the
    /// order given) that `matches` it.
    public static func bestKey<S: Sequence>(for requested: String, in keys: S) -> String? where S.Element == String {
        let keys = Array(keys)
        if keys.contains(requested) { return requested }
        return keys.first { matches($0, requested) }
    }

    /// Every key of `keys` that serves `requested`: what `erase` removes.
    public static func matchingKeys<S: Sequence>(for requested: String, in keys: S) -> [String]
    where S.Element == String {
        keys.filter { matches($0, requested) }
    }
}

/// How server addresses are compared.
///
/// Clients do not agree on how to name a registry: docker sends `https://index.docker.io/v1/` for Docker Hub,
/// podman and skopeo send `docker.io`; `docker login https://r.example/` and `r.example` mean one registry.
/// Stores keep the key exactly as given (`store`, `erase`); `get` tries the exact key first and then this
/// normalised form.
public enum ServerAddress {
    /// The canonical name of Docker Hub in normalised form.
    public static let dockerHub = "docker.io"

    /// The key docker itself uses for Docker Hub in config.json and in helper calls.
    public static let dockerHubLegacyKey = "https://index.docker.io/v1/"

    /// Names that all mean Docker Hub (after scheme and trailing slash are stripped, host lower-cased).
    static let dockerHubAliases: Set<String> = [
        "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com",
        "index.docker.io/v1", "registry-1.docker.io/v1", "docker.io/v1",
    ]

    /// The normalised form of a server address: surrounding white space, the scheme and trailing slashes
    /// stripped, the host (not the path) lower-cased, and Docker Hub's names folded into `docker.io`.
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
        let normalized = host.lowercased() + rest
        return dockerHubAliases.contains(normalized) ? dockerHub : normalized
    }

    /// The host (with port) of an address: the normalised form without any path.
    public static func host(of address: String) -> String {
        let normalized = normalize(address)
        if let slash = normalized.firstIndex(of: "/") { return String(normalized[..<slash]) }
        return normalized
    }

    /// Whether two addresses name the same registry once normalised.
    public static func matches(_ a: String, _ b: String) -> Bool {
        normalize(a) == normalize(b)
    }

    /// Finds the key of `keys` that serves `requested`: the exact key first, then the first key (in the
    /// order given) whose normalised form equals the request's.
    public static func bestKey<S: Sequence>(for requested: String, in keys: S) -> String? where S.Element == String {
        let keys = Array(keys)
        if keys.contains(requested) { return requested }
        let target = normalize(requested)
        return keys.first { normalize($0) == target }
    }
}

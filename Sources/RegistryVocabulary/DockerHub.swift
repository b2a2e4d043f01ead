/// Docker Hub's names, in one place: the registry every client defaults to goes by several host names, and
/// docker keys its credentials under a URL of the retired v1 API.
public enum DockerHub {
    /// The canonical name: what references are normalised to and what credentials are looked up under.
    public static let registry = "docker.io"

    /// The host that serves the registry API; `docker.io` itself only redirects browsers.
    public static let apiHost = "registry-1.docker.io"

    /// The key docker itself uses for Docker Hub in config.json and in credential-helper calls.
    public static let legacyKey = "https://index.docker.io/v1/"

    /// The repository namespace of official images: `alpine` is `docker.io/library/alpine`.
    public static let officialNamespace = "library"

    /// Every host name that means Docker Hub, lower-case.
    public static let hostNames: Set<String> = [
        "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com",
    ]

    /// Whether a registry host (any case, no scheme, no path) is Docker Hub.
    public static func isDockerHub(_ host: some StringProtocol) -> Bool {
        hostNames.contains(host.asciiLowercased())
    }

    /// The key to store a registry's credentials under so that docker finds them: docker's legacy key for Docker
    /// Hub, the host itself for any other registry.
    /// - Parameter host: a normalised registry host (`docker.io`, `127.0.0.1:5000`).
    public static func credentialKey(forHost host: String) -> String {
        host == registry ? legacyKey : host
    }

    /// The host to connect to for a registry named by its canonical name: Docker Hub's API host for `docker.io`,
    /// any other registry as it is.
    public static func apiHost(of registry: String) -> String {
        registry == Self.registry ? apiHost : registry
    }
}

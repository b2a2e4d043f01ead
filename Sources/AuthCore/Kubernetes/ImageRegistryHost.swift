/// The registry host of an image reference, by docker's normalisation rules.
///
/// The first path component is a registry when it contains `.` or `:`, is `localhost`, or has an upper-case
/// letter (docker's `splitDockerDomain`); otherwise the image is on Docker Hub. `index.docker.io` is folded into
/// `docker.io`, as docker's reference parser does. A deliberately small function: the full `ImageReference`
/// comes later and can take its place.
enum ImageRegistryHost {
    /// - Parameter image: an image reference such as `nginx`, `docker.io/library/nginx:1`,
    ///   `127.0.0.1:5000/team/app@sha256:...`.
    /// - Returns: the registry host (`docker.io`, `127.0.0.1:5000`); `nil` when `image` is not a reference.
    static func of(_ image: String) -> String? {
        let reference = image.trimmingWhitespace()
        guard !reference.isEmpty, !reference.contains(where: { $0.isWhitespace }), !reference.hasPrefix("/") else {
            return nil
        }
        guard let slash = reference.firstIndex(of: "/") else { return ServerAddress.dockerHub }
        let first = String(reference[..<slash])
        let isRegistry = first.contains(".") || first.contains(":") || first == "localhost" || first.lowercased() != first
        guard isRegistry else { return ServerAddress.dockerHub }
        // The path after the registry must name a repository.
        guard reference.index(after: slash) < reference.endIndex, !first.hasPrefix(":") else { return nil }
        return first == "index.docker.io" ? ServerAddress.dockerHub : first
    }
}

import FoundationEssentials
import RegistryVocabulary

/// Where a registry named by the user is reached, and how safely: https unless it is loopback or configured
/// insecure, in which case plain http is tried too: after https for insecure registries (as docker does),
/// before it for loopback ones.
package struct RegistryEndpoint: Sendable, Equatable {
    /// The host as registries are named (`host:port`).
    package let host: String
    /// The origins to try, in order.
    package let candidates: [HTTPOrigin]
    /// Whether plain http is allowed (loopback, or listed as insecure): also decides the token realm policy.
    package let allowsPlainHTTP: Bool

    /// Resolves a registry as the user wrote it (`127.0.0.1:5000`, `https://r.example`, `docker.io`).
    /// - Parameters:
    ///   - registry: the name.
    ///   - insecureHosts: registry.json's `insecure` list.
    /// - Throws: `RegistryError` (validation) for a name that is not a host, or explicit `http://` for a
    ///   registry that must use https.
    package init(_ registry: String, insecureHosts: Set<String>) throws {
        var name = Substring(registry)
        var explicitScheme: String?
        for scheme in ["https", "http"] where name.lowercased().hasPrefix("\(scheme)://") {
            explicitScheme = scheme
            name = name.dropFirst(scheme.count + 3)
        }
        let host = DockerHub.apiHost(of: ServerAddress.host(of: String(name)))
        guard !host.isEmpty, let probe = URL(string: "https://\(host)/"), let origin = HTTPOrigin(probe) else {
            throw RegistryError(
                .validation, operation: .login, registry: registry,
                message: "\"\(registry)\" is not a registry host; write it as HOST or HOST:PORT")
        }
        self.host = host
        allowsPlainHTTP = origin.isLoopback || insecureHosts.contains(host) || insecureHosts.contains(origin.host)
        let https = origin
        let http = HTTPOrigin(scheme: "http", host: origin.host, port: URL(string: "http://\(host)/")?.port ?? 80)
        switch explicitScheme {
        case "https": candidates = [https]
        case "http":
            guard allowsPlainHTTP else {
                throw RegistryError(
                    .validation, operation: .login, registry: registry,
                    message:
                        "\(host) may not be reached over plain http: only loopback registries and those listed as insecure may (use --insecure if you trust the network)"
                )
            }
            candidates = [http]
        // Loopback registries are nearly always plain http (`registry:2`, kind, test beds), and a failed TLS
        // attempt costs about 25 ms here (OpenSSL loads the CA bundle), so they are tried over http first; a TLS
        // port answers that with 400, and https is tried next. Other insecure registries keep docker's order.
        default: candidates = !allowsPlainHTTP ? [https] : origin.isLoopback ? [http, https] : [https, http]
        }
    }

    /// The URL of an API path at an origin.
    package static func url(_ origin: HTTPOrigin, _ path: RegistryPath) -> URL {
        URL(string: "\(origin.scheme)://\(origin.hostAndPort)\(path.text)")!
    }
}

import FoundationEssentials

/// The credential boundary of the web: scheme, host and port. A redirect that leaves the origin of the request
/// carrying credentials must drop them (a credential meant for one origin must never reach another).
public struct HTTPOrigin: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`, lower case.
    public var scheme: String
    /// The host, lower case, without brackets for IPv6.
    public var host: String
    /// The port, explicit or the scheme's default.
    public var port: Int

    /// Creates an origin from its parts.
    public init(scheme: String, host: String, port: Int) {
        self.scheme = scheme.lowercased()
        self.host = host.lowercased()
        self.port = port
    }

    /// The origin of a URL; `nil` for a URL without scheme or host, or a scheme other than http(s).
    public init?(_ url: URL) {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            var host = url.host, !host.isEmpty
        else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.init(scheme: scheme, host: host, port: url.port ?? (scheme == "https" ? 443 : 80))
    }

    /// `host:port` as registries are named (IPv6 hosts in brackets), the port omitted when it is the default.
    public var hostAndPort: String {
        let h = host.contains(":") ? "[\(host)]" : host
        let defaultPort = scheme == "https" ? 443 : 80
        return port == defaultPort ? h : "\(h):\(port)"
    }

    /// Whether the host is a loopback address (`localhost`, `127.0.0.0/8`, `::1`), where plain http is allowed
    /// without configuration, as docker allows it.
    public var isLoopback: Bool { Self.isLoopback(host: host) }

    /// Whether `host` (no port) names the loopback interface.
    public static func isLoopback(host: String) -> Bool {
        let h = host.lowercased()
        if h == "localhost" || h.hasSuffix(".localhost") || h == "::1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { part in UInt8(part) != nil }
    }

    public var description: String { "\(scheme)://\(hostAndPort)" }
}

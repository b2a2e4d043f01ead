/// The environment backend: read-only credentials from environment variables.
///
/// - Docker Hub: `DOCKER_USERNAME` and `DOCKER_PASSWORD` (the original design's names).
/// - Any registry: a prefix made of the host upper-cased with every character that is not a letter or a digit
///   turned into `_` (`registry.example.com:5000` -> `REGISTRY_EXAMPLE_COM_5000`), followed by `_USERNAME` and
///   `_PASSWORD`, or by `_IDENTITY_TOKEN`.
/// - The same names with an `OSSB_` prefix (`OSSB_127_0_0_1_5000_USERNAME`), so that hosts a shell cannot
///   name otherwise (they start with a digit) can be written; these win over the unprefixed names.
///
/// An identity token wins over a username and password under the same prefix.
public struct EnvironmentStore: CredentialStore {
    /// The variables read.
    public let environment: Environment

    public var name: String { "env" }

    /// A store over an environment snapshot.
    public init(environment: Environment) {
        self.environment = environment
    }

    /// The variable prefix for a host (`registry.example.com` -> `REGISTRY_EXAMPLE_COM`).
    public static func prefix(forHost host: String) -> String {
        String(host.uppercased().unicodeScalars.map { scalar -> Character in
            let v = scalar.value
            let alphanumeric = (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A)
            return alphanumeric ? Character(scalar) : "_"
        })
    }

    /// The prefixes consulted for a server address, most specific first.
    public static func prefixes(for serverURL: String) -> [String] {
        let host = ServerAddress.host(of: serverURL)
        var names = ["OSSB_" + prefix(forHost: host), prefix(forHost: host)]
        if host == ServerAddress.dockerHub { names.append("DOCKER") }
        return names
    }

    public func get(_ serverURL: String) throws -> HelperCredential? {
        let host = ServerAddress.host(of: serverURL)
        guard !host.isEmpty else { return nil }
        for prefix in Self.prefixes(for: serverURL) {
            if let credentials = credentials(prefix: prefix),
                let credential = HelperCredential(serverURL: serverURL, credentials: credentials)
            {
                return credential
            }
        }
        return nil
    }

    /// The complete credentials under one prefix, or `nil`.
    func credentials(prefix: String) -> Credentials? {
        if let token = environment["\(prefix)_IDENTITY_TOKEN"] {
            return Credentials(identityToken: token)
        }
        if let user = environment["\(prefix)_USERNAME"], let password = environment["\(prefix)_PASSWORD"] {
            return Credentials(username: user, password: password)
        }
        return nil
    }

    public func store(_ credential: HelperCredential) throws {
        throw CredentialStoreError.readOnly(
            backend: "env", action: "store",
            hint: "set \(Self.prefixes(for: credential.serverURL)[0])_USERNAME and _PASSWORD instead, or use docker-credential-ossb-file")
    }

    public func erase(_ serverURL: String) throws {
        throw CredentialStoreError.readOnly(
            backend: "env", action: "erase", hint: "unset the variables instead")
    }

    /// Every complete credential in the environment, keyed by the host its prefix spells (Docker Hub under
    /// docker's key, `https://index.docker.io/v1/`).
    ///
    /// The prefix loses the host's punctuation, so the host is rebuilt: `_` becomes `.`, and a final all-digit
    /// part becomes a port (`OSSB_127_0_0_1_5000` -> `127.0.0.1:5000`). Prefixes that cannot be a registry
    /// host (no dot, no port, not `localhost`) are skipped, so that unrelated variables such as
    /// `GIT_USERNAME` are not reported.
    public func list() throws -> [String: String] {
        var result: [String: String] = [:]
        var prefixes = Set<String>()
        for name in environment.variables.keys {
            for suffix in ["_USERNAME", "_IDENTITY_TOKEN"] where name.hasSuffix(suffix) {
                prefixes.insert(String(name.dropLast(suffix.count)))
            }
        }
        // Unprefixed first so that an OSSB_ spelling of the same host overrides it, as in `get`.
        for prefix in prefixes.sorted(by: { ($0.hasPrefix("OSSB_") ? 1 : 0, $0) < ($1.hasPrefix("OSSB_") ? 1 : 0, $1) }) {
            guard let credentials = credentials(prefix: prefix) else { continue }
            let host: String
            if prefix == "DOCKER" || prefix == "OSSB_DOCKER" {
                // docker's own key for Docker Hub, so `docker` and other clients find the entry they look up.
                host = ServerAddress.dockerHubLegacyKey
            } else {
                let bare = prefix.hasPrefix("OSSB_") ? String(prefix.dropFirst(5)) : prefix
                guard let rebuilt = Self.host(fromPrefix: bare) else { continue }
                host = rebuilt
            }
            result[host] = credentials.identityToken.isEmpty ? credentials.username : HelperCredential.identityTokenUsername
        }
        return result
    }

    /// Rebuilds a plausible registry host from a variable prefix, or `nil` when it cannot be one.
    static func host(fromPrefix prefix: String) -> String? {
        var parts = prefix.lowercased().split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, !parts.contains(where: \.isEmpty) else { return nil }
        var port: String?
        if parts.count >= 2, let last = parts.last, last.allSatisfy(\.isNumber) {
            port = last
            parts.removeLast()
        }
        let host = parts.joined(separator: ".")
        guard parts.count >= 2 || port != nil || host == "localhost" else { return nil }
        return port.map { "\(host):\($0)" } ?? host
    }
}

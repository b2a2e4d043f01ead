import RegistryVocabulary

/// The environment backend: read-only credentials from environment variables. Every variable set serves
/// exactly one host, so that credentials never reach a look-alike host whose name folds to the same variables.
///
/// - Docker Hub: `DOCKER_USERNAME` and `DOCKER_PASSWORD` (also `OSSB_DOCKER_*`).
/// - The short form: a prefix made of the host upper-cased with each `.` turned into `_`
///   (`registry.example.com` -> `REGISTRY_EXAMPLE_COM`), followed by `_USERNAME` and `_PASSWORD`, or by
///   `_IDENTITY_TOKEN`; the same names with an `OSSB_` prefix (`OSSB_127_0_0_1_5000_USERNAME`) win over the
///   unprefixed ones and can spell hosts that start with a digit. A prefix serves only the host it spells back:
///   parts joined with `.`, and a final all-digit part is a port (a top-level domain is never all digits; an
///   address of four numbers is an IPv4 address without a port). So `REGISTRY_EXAMPLE_COM_*` serves
///   `registry.example.com` and never `registry-example.com` or `registry.example-com`.
/// - The explicit binding, for every host the short form cannot spell (one with a `-` or `_`, an IPv6
///   address): `OSSB_REGISTRY_<NAME>_HOST=registry-example.com` beside
///   `OSSB_REGISTRY_<NAME>_USERNAME`/`_PASSWORD` or `_IDENTITY_TOKEN`. A bound set serves its `_HOST` alone and
///   wins over a short form for the same host.
///
/// An identity token wins over a username and password under the same prefix. When a `get` finds no set for
/// a host but the short-form variables of that host's folded name are set (for another host), the warning
/// channel says how to bind them; the credentials are not served.
public struct EnvironmentStore: ReadOnlyCredentialStore {
    /// The variables read.
    public let environment: Environment
    let warn: @Sendable (String) -> Void

    public var name: String { "env" }

    /// The prefix of an explicit binding's variables (`OSSB_REGISTRY_<NAME>_HOST`).
    package static let bindingPrefix = "OSSB_REGISTRY_"

    /// A store over an environment snapshot.
    /// - Parameters:
    ///   - environment: the variables.
    ///   - warn: receives the note on how to bind a host that only a look-alike's variables would have served.
    public init(environment: Environment, warn: @escaping @Sendable (String) -> Void = { _ in }) {
        self.environment = environment
        self.warn = warn
    }

    /// One complete variable set and the one host it serves.
    struct VariableSet {
        /// The variables' common prefix (`OSSB_REGISTRY_GITLAB`, `REGISTRY_EXAMPLE_COM`, `DOCKER`).
        let prefix: String
        /// The normalised host it serves.
        let host: String
        /// Lower wins when two sets serve one host: binding, `OSSB_` short form, short form, `DOCKER`.
        let rank: Int
        let credentials: Credentials
    }

    /// The short-form prefix for a host (`registry.example.com` -> `REGISTRY_EXAMPLE_COM`). It serves `host`
    /// only when `host(fromPrefix:)` spells it back; otherwise the host needs an explicit binding.
    package static func prefix(forHost host: String) -> String {
        String(
            host.uppercased().unicodeScalars.map { scalar -> Character in
                let v = scalar.value
                let alphanumeric = (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A)
                return alphanumeric ? Character(scalar) : "_"
            })
    }

    /// Whether the short form can name `host`: its folded prefix spells it back exactly.
    package static func shortFormSpells(_ host: String) -> Bool {
        let host = ServerAddress.host(of: host)
        return Self.host(fromPrefix: prefix(forHost: host)).map(ServerAddress.host(of:)) == host
    }

    public func get(_ serverURL: String) throws -> HelperCredential? {
        let host = ServerAddress.host(of: serverURL)
        guard !host.isEmpty else { return nil }
        let all = sets()
        if let best = all.filter({ $0.host == host }).min(by: { ($0.rank, $0.prefix) < ($1.rank, $1.prefix) }) {
            return HelperCredential(serverURL: serverURL, credentials: best.credentials)
        }
        let folded = Self.prefix(forHost: host)
        if let lookalike = all.first(where: { $0.prefix == folded || $0.prefix == "OSSB_" + folded }) {
            warn(
                "env: \(lookalike.prefix)_* serve \(lookalike.host), not \(host); to use credentials from the environment for \(host), set \(Self.bindingPrefix)<NAME>_HOST=\(host) with \(Self.bindingPrefix)<NAME>_USERNAME and _PASSWORD (docs/helpers.md)"
            )
        } else if !Self.shortFormSpells(host), let stray = Self.completePrefix(folded, in: environment) {
            warn(
                "env: \(stray)_* cannot name \(host) (the short form spells only dots and a final port); set \(Self.bindingPrefix)<NAME>_HOST=\(host) with \(Self.bindingPrefix)<NAME>_USERNAME and _PASSWORD (docs/helpers.md)"
            )
        }
        return nil
    }

    /// `OSSB_<prefix>` or `<prefix>` when either holds complete credentials.
    static func completePrefix(_ prefix: String, in environment: Environment) -> String? {
        ["OSSB_" + prefix, prefix].first { credentials(prefix: $0, in: environment) != nil }
    }

    /// The complete credentials under one prefix, or `nil`.
    static func credentials(prefix: String, in environment: Environment) -> Credentials? {
        if let token = environment["\(prefix)_IDENTITY_TOKEN"] {
            return Credentials(identityToken: token)
        }
        if let user = environment["\(prefix)_USERNAME"], let password = environment["\(prefix)_PASSWORD"] {
            return Credentials(username: user, password: password)
        }
        return nil
    }

    /// Every complete variable set with the host it serves. Prefixes that spell no registry host (no dot,
    /// no port, not `localhost`, such as `GIT_USERNAME`) are left out.
    func sets() -> [VariableSet] {
        var prefixes = Set<String>()
        for name in environment.variables.keys {
            for suffix in ["_USERNAME", "_IDENTITY_TOKEN"] where name.hasSuffix(suffix) {
                prefixes.insert(String(name.dropLast(suffix.count)))
            }
        }
        var result: [VariableSet] = []
        for prefix in prefixes {
            guard let credentials = Self.credentials(prefix: prefix, in: environment) else { continue }
            let host: String
            let rank: Int
            if prefix.hasPrefix(Self.bindingPrefix), let bound = environment["\(prefix)_HOST"] {
                host = ServerAddress.host(of: bound)
                rank = 0
            } else if prefix == "DOCKER" || prefix == "OSSB_DOCKER" {
                host = DockerHub.registry
                rank = prefix == "OSSB_DOCKER" ? 3 : 4
            } else {
                let ossb = prefix.hasPrefix("OSSB_")
                guard let spelled = Self.host(fromPrefix: ossb ? String(prefix.dropFirst(5)) : prefix) else { continue }
                host = ServerAddress.host(of: spelled)
                rank = ossb ? 1 : 2
            }
            guard !host.isEmpty else { continue }
            result.append(VariableSet(prefix: prefix, host: host, rank: rank, credentials: credentials))
        }
        return result
    }

    public func storeInstead(_ credential: HelperCredential) -> String {
        let host = ServerAddress.host(of: credential.serverURL)
        return Self.shortFormSpells(host)
            ? "set OSSB_\(Self.prefix(forHost: host))_USERNAME and _PASSWORD instead, or use docker-credential-ossb-file"
            : "set \(Self.bindingPrefix)<NAME>_HOST=\(host) with \(Self.bindingPrefix)<NAME>_USERNAME and _PASSWORD instead, or use docker-credential-ossb-file"
    }

    public var eraseInstead: String { "unset the variables instead" }

    /// Every complete credential in the environment, keyed by the one host its set serves (Docker Hub under
    /// docker's key, `https://index.docker.io/v1/`, so `docker` and other clients find the entry they look up).
    public func list() throws -> [String: String] {
        var best: [String: VariableSet] = [:]
        for set in sets() {
            if let current = best[set.host], (current.rank, current.prefix) <= (set.rank, set.prefix) { continue }
            best[set.host] = set
        }
        var result: [String: String] = [:]
        for (host, set) in best {
            let key = DockerHub.credentialKey(forHost: host)
            result[key] =
                set.credentials.identityToken.isEmpty
                ? set.credentials.username : HelperCredential.identityTokenUsername
        }
        return result
    }

    /// The one host a short-form prefix spells, or `nil` when it spells none.
    ///
    /// Parts are joined with `.`; a final all-digit part is a port, because a top-level domain is never all
    /// digits. An all-digit prefix is an IPv4 address: four parts without a port, five with one.
    static func host(fromPrefix prefix: String) -> String? {
        let parts = prefix.lowercased().split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        func isDigits(_ s: String) -> Bool { s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        guard parts.count >= 1,
            parts.allSatisfy({
                !$0.isEmpty && $0.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) }
            })
        else { return nil }
        var labels = parts
        var port: String?
        if parts.allSatisfy(isDigits) {
            guard parts.count == 4 || parts.count == 5 else { return nil }
            if parts.count == 5 { port = labels.removeLast() }
            guard labels.allSatisfy({ $0.count <= 3 && Int($0)! <= 255 }) else { return nil }
        } else {
            if parts.count >= 2, isDigits(parts.last!) { port = labels.removeLast() }
            guard !isDigits(labels.last!) else { return nil }
            guard labels.count >= 2 || port != nil || labels == ["localhost"] else { return nil }
        }
        if let port {
            guard port.count <= 5, let number = Int(port), (1...65535).contains(number) else { return nil }
        }
        let host = labels.joined(separator: ".")
        return port.map { "\(host):\($0)" } ?? host
    }
}

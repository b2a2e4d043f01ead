/// registry.json (`~/.ossb/registry.json`, `OSSB_CONFIG`): the Go package's keys plus the keys that choose
/// discovery sources, the writable store and helpers per registry. Every key is optional.
///
/// ```json
/// {
///   "default_registry": "docker.io",
///   "registries": { "registry.example.com": { "username": "u", "password": "p" } },
///   "insecure": ["localhost:5000"],
///   "mirrors": { "docker.io": ["mirror1.example.com"] },
///   "credential_sources": ["env", "registry", "k8s", "cloud", "keyring", "file", "docker", "containers"],
///   "credential_store": "auto",
///   "credential_helpers": { "*.dkr.ecr.*.amazonaws.com": "ecr-login" }
/// }
/// ```
public struct RegistryConfig: Sendable, Equatable {
    /// One `registries` entry: a username and password, or a `token` sent as a bearer token as it is.
    public struct RegistryEntry: Sendable, Equatable {
        /// The user name.
        public var username: String
        /// The password or personal access token.
        public var password: String
        /// A bearer token used as it is (a registry token).
        public var token: String

        /// Creates an entry.
        public init(username: String = "", password: String = "", token: String = "") {
            self.username = username
            self.password = password
            self.token = token
        }

        /// The entry as model credentials (`token` becomes a registry token).
        public var credentials: Credentials {
            Credentials(username: username, password: password, registryToken: token)
        }
    }

    /// The registry of references that name none (`default_registry`).
    public var defaultRegistry: String?
    /// Credentials per registry host.
    public var registries: [String: RegistryEntry]
    /// Hosts that may use plain http or unverified TLS.
    public var insecure: [String]
    /// Mirror hosts per registry, tried in order before the registry itself for pulls.
    public var mirrors: [String: [String]]
    /// The discovery order.
    public var credentialSources: [CredentialSourceName]
    /// Where `store` and `erase` go.
    public var credentialStore: CredentialStoreChoice
    /// External helpers serving the registries their pattern matches, alone.
    public var credentialHelpers: [(pattern: HostPattern, helper: String)]
    /// The file this was read from, for messages; `nil` for a default configuration.
    public var path: String?

    /// A configuration with every default.
    public init() {
        defaultRegistry = nil
        registries = [:]
        insecure = []
        mirrors = [:]
        credentialSources = CredentialSourceName.defaultOrder
        credentialStore = .auto
        credentialHelpers = []
        path = nil
    }

    public static func == (a: RegistryConfig, b: RegistryConfig) -> Bool {
        a.defaultRegistry == b.defaultRegistry && a.registries == b.registries && a.insecure == b.insecure
            && a.mirrors == b.mirrors && a.credentialSources == b.credentialSources
            && a.credentialStore == b.credentialStore && a.path == b.path
            && a.credentialHelpers.map { "\($0.pattern)=\($0.helper)" }
                == b.credentialHelpers.map { "\($0.pattern)=\($0.helper)" }
    }

    /// Loads registry.json from where the environment says (`OSSB_CONFIG`, else `~/.ossb/registry.json`).
    /// A missing file is the default configuration; `OSSB_CONFIG` naming a missing file is an error, since the
    /// user asked for that file.
    /// - Throws: `ConfigurationError` naming the file and the problem.
    public static func load(environment: Environment) throws -> RegistryConfig {
        guard let path = OSSBPaths(environment: environment).registryConfig else { return RegistryConfig() }
        let bytes: [UInt8]?
        do {
            bytes = try FileIO.readIfExists(path, limit: 4 << 20)
        } catch {
            throw ConfigurationError(path: path, message: "cannot be read: \(error)")
        }
        guard let bytes else {
            if environment["OSSB_CONFIG"] != nil {
                throw ConfigurationError(
                    path: path, message: "does not exist (named by OSSB_CONFIG); create it or unset OSSB_CONFIG")
            }
            return RegistryConfig()
        }
        var config = try parse(bytes, path: path)
        config.path = path
        return config
    }

    /// Parses a registry.json document.
    /// - Throws: `ConfigurationError` for invalid JSON, a key of the wrong type, an unknown source or store name.
    public static func parse(_ bytes: [UInt8], path: String) throws -> RegistryConfig {
        let root: JSONObject
        do {
            root = try JSONParser.parseObject(bytes)
        } catch {
            throw ConfigurationError(path: path, message: error.problem)
        }
        var config = RegistryConfig()
        config.path = path
        let reader = ConfigReader(path: path)
        config.defaultRegistry = try reader.string(root["default_registry"], key: "default_registry")
        for member in try reader.object(root["registries"], key: "registries")?.members ?? [] {
            let key = "registries.\(member.name)"
            guard case .object(let entry) = member.value else {
                throw ConfigurationError(
                    path: path,
                    message:
                        "\"\(key)\" is \(member.value.kindDescription), expected an object with username and password, or token"
                )
            }
            config.registries[member.name] = RegistryEntry(
                username: try reader.string(entry["username"], key: "\(key).username") ?? "",
                password: try reader.string(entry["password"], key: "\(key).password") ?? "",
                token: try reader.string(entry["token"], key: "\(key).token") ?? "")
        }
        config.insecure = try reader.strings(root["insecure"], key: "insecure") ?? []
        for member in try reader.object(root["mirrors"], key: "mirrors")?.members ?? [] {
            config.mirrors[member.name] = try reader.strings(member.value, key: "mirrors.\(member.name)") ?? []
        }
        if let names = try reader.strings(root["credential_sources"], key: "credential_sources") {
            config.credentialSources = try names.map { name in
                guard let source = CredentialSourceName(rawValue: name) else {
                    let valid = CredentialSourceName.allCases.map(\.rawValue).joined(separator: ", ")
                    throw ConfigurationError(
                        path: path,
                        message: "\"credential_sources\" names an unknown source \"\(name)\"; valid names: \(valid)")
                }
                return source
            }
        }
        if let store = try reader.string(root["credential_store"], key: "credential_store") {
            guard let choice = CredentialStoreChoice(rawValue: store) else {
                throw ConfigurationError(
                    path: path, message: "\"credential_store\" is \"\(store)\"; valid values: auto, keyring, file")
            }
            config.credentialStore = choice
        }
        for member in try reader.object(root["credential_helpers"], key: "credential_helpers")?.members ?? [] {
            guard let helper = try reader.string(member.value, key: "credential_helpers.\(member.name)"),
                !helper.isEmpty
            else {
                throw ConfigurationError(
                    path: path,
                    message: "\"credential_helpers.\(member.name)\" is empty; name a helper such as \"ecr-login\"")
            }
            config.credentialHelpers.append((HostPattern(member.name), helper))
        }
        return config
    }

    /// The credentials registry.json's `registries` holds for a server address (exact host key first, then
    /// the normalised form).
    public func registryEntry(for serverURL: String) -> RegistryEntry? {
        guard let key = ServerAddress.bestKey(for: serverURL, in: registries.keys.sorted()) else {
            let host = ServerAddress.host(of: serverURL)
            return ServerAddress.bestKey(for: host, in: registries.keys.sorted()).flatMap { registries[$0] }
        }
        return registries[key]
    }

    /// The external helper that serves `host` alone, when a `credential_helpers` pattern matches it (the most
    /// specific pattern wins).
    public func helper(forHost host: String) -> String? {
        credentialHelpers.filter { $0.pattern.matches(host) }.max { $0.pattern.specificity < $1.pattern.specificity }?
            .helper
    }

    /// Whether a host is listed in `insecure` (compared in normalised form).
    public func isInsecure(_ host: String) -> Bool {
        insecure.contains { ServerAddress.matches($0, host) }
    }
}

/// Typed access to registry.json members with errors that name the key.
private struct ConfigReader {
    let path: String

    func string(_ value: JSONValue?, key: String) throws -> String? {
        guard let value else { return nil }
        switch value {
        case .null: return nil
        case .string(let s): return s
        default:
            throw ConfigurationError(path: path, message: "\"\(key)\" is \(value.kindDescription), expected a string")
        }
    }

    func object(_ value: JSONValue?, key: String) throws -> JSONObject? {
        guard let value else { return nil }
        switch value {
        case .null: return nil
        case .object(let o): return o
        default:
            throw ConfigurationError(path: path, message: "\"\(key)\" is \(value.kindDescription), expected an object")
        }
    }

    func strings(_ value: JSONValue?, key: String) throws -> [String]? {
        guard let value else { return nil }
        switch value {
        case .null: return nil
        case .array(let elements):
            return try elements.map { element in
                guard case .string(let s) = element else {
                    throw ConfigurationError(
                        path: path, message: "\"\(key)\" holds \(element.kindDescription), expected only strings")
                }
                return s
            }
        default:
            throw ConfigurationError(
                path: path, message: "\"\(key)\" is \(value.kindDescription), expected an array of strings")
        }
    }
}

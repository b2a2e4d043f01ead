import RegistryVocabulary

/// One Kubernetes secret mounted as a directory, read into the registry credentials it holds.
///
/// Three forms are understood, and a secret may combine them:
/// - an Opaque secret (the form the Go package read): keys `username` and `password`, optionally `registry` naming the
///   registry they are for; without it they serve the default registry (registry.json's `default_registry`,
///   else Docker Hub);
/// - `kubernetes.io/dockerconfigjson`: key `.dockerconfigjson`, a docker config.json document whose `auths`
///   entries may carry `auth`, `username`/`password`, `identitytoken` or `registrytoken`;
/// - `kubernetes.io/dockercfg`: key `.dockercfg`, the legacy form: the bare map of server to entry.
///
/// Every call reads the files again (see `SecretDirectory`), so a secret kubelet has rotated is used at once.
public struct MountedSecret: Sendable, Equatable {
    /// One registry the secret serves.
    public struct Entry: Sendable, Equatable {
        /// The server address as the secret names it (an `auths` key, the `registry` value, or the default).
        public var server: String
        /// The credentials for it.
        public var credentials: Credentials
        /// The file it came from, for messages and explanations.
        public var source: String

        /// Creates an entry.
        public init(server: String, credentials: Credentials, source: String) {
            self.server = server
            self.credentials = credentials
            self.source = source
        }
    }

    /// The keys this backend reads; any other key (`email`, `ca.crt`) is ignored.
    static let keys = ["username", "password", "registry", ".dockerconfigjson", ".dockercfg"]

    /// The secret's directory.
    public let path: String

    /// A secret mounted at `path`.
    public init(path: String) {
        self.path = path
    }

    /// Whether a directory holds a secret: it has kubelet's `..data` link or one of the keys this backend reads.
    /// - Parameter path: a directory.
    public static func isSecret(_ path: String) -> Bool {
        ([SecretDirectory.dataLink] + keys).contains { SecretDirectory.exists("\(path)/\($0)") }
    }

    /// Reads the secret.
    /// - Parameter defaultRegistry: the registry an Opaque secret without a `registry` key serves; `nil` means
    ///   Docker Hub.
    /// - Returns: the registries served, in the secret's order: the Opaque credentials first, then `auths`.
    /// - Throws: `CredentialStoreError` naming the file when a key cannot be read or does not hold what it
    ///   must (empty, binary, not JSON, a username without a password).
    public func entries(defaultRegistry: String?) throws -> [Entry] {
        let files = try SecretDirectory(path: path).read(keys: Self.keys)
        var result: [Entry] = []
        if let opaque = try opaqueEntry(files, defaultRegistry: defaultRegistry) { result.append(opaque) }
        if let bytes = files[".dockerconfigjson"] {
            result += try configEntries(bytes, key: ".dockerconfigjson", wrapped: true)
        }
        if let bytes = files[".dockercfg"] {
            result += try configEntries(bytes, key: ".dockercfg", wrapped: false)
        }
        return result
    }

    // MARK: - Opaque

    private func opaqueEntry(_ files: [String: [UInt8]], defaultRegistry: String?) throws -> Entry? {
        let username = try files["username"].map { try text($0, key: "username").trimmingWhitespace() }
        // A password may hold any character but a final line break, which `echo > file` and
        // `kubectl --from-file` add and nobody means.
        let password = try files["password"].map { try text($0, key: "password").droppingTrailingNewlines() }
        let registry = try files["registry"].map { try text($0, key: "registry").trimmingWhitespace() }
        if username == nil, password == nil {
            if registry != nil {
                throw KubernetesSecretError.malformed(
                    path: "\(path)/registry",
                    problem: "names a registry but the secret has no username and password keys; add them")
            }
            return nil
        }
        for (key, value) in [("username", username), ("password", password), ("registry", registry)] {
            if let value, value.isEmpty {
                throw KubernetesSecretError.malformed(
                    path: "\(path)/\(key)", problem: "is empty; put the \(key) in the secret's \"\(key)\" key")
            }
        }
        guard let username, let password else {
            let (present, missing) = username == nil ? ("password", "username") : ("username", "password")
            throw KubernetesSecretError.malformed(
                path: "\(path)/\(present)", problem: "has no matching \"\(missing)\" key in the same secret; add it")
        }
        let server = registry ?? defaultRegistry ?? DockerHub.registry
        return Entry(
            server: server, credentials: Credentials(username: username, password: password),
            source: "\(path)/username")
    }

    // MARK: - dockerconfigjson and dockercfg

    private func configEntries(_ bytes: [UInt8], key: String, wrapped: Bool) throws -> [Entry] {
        let file = "\(path)/\(key)"
        _ = try text(bytes, key: key)
        let top: JSONObject
        do {
            top = try JSONParser.parseObject(bytes)
        } catch {
            throw KubernetesSecretError.malformed(
                path: file, problem: "\(error.problem); recreate it with kubectl create secret docker-registry")
        }
        var auths = top
        if wrapped {
            guard let value = top["auths"], case .object(let object) = value else {
                let found = top["auths"].map { "\"auths\" is \($0.kindDescription)" } ?? "there is no \"auths\" member"
                throw KubernetesSecretError.malformed(
                    path: file, problem: "is not a docker config.json with credentials: \(found), expected an object")
            }
            auths = object
        }
        return try auths.members.map { member in
            Entry(
                server: member.name,
                credentials: try DockerAuthEntry.decode(member.value, key: member.name, file: file),
                source: file)
        }
    }

    // MARK: - Text

    /// The UTF-8 text of a key; binary content is an error (a value base64-encoded twice is text, but a key
    /// made from a binary file is not a credential).
    private func text(_ bytes: [UInt8], key: String) throws -> String {
        let file = "\(path)/\(key)"
        if bytes.isEmpty {
            throw KubernetesSecretError.malformed(
                path: file, problem: "is empty; put the value in the secret's \"\(key)\" key")
        }
        let controls = bytes.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D || $0 == 0x7F }
        guard !controls, let text = String(validating: bytes, as: UTF8.self) else {
            throw KubernetesSecretError.malformed(
                path: file,
                problem: "holds binary data, not text; store the plain value (kubectl --from-literal, or stringData)")
        }
        return text
    }
}

extension String {
    /// The string without trailing line breaks (`\n`, `\r\n`).
    fileprivate func droppingTrailingNewlines() -> String {
        var s = Substring(self)
        while let last = s.last, last == "\n" || last == "\r" || last == "\r\n" { s = s.dropLast() }
        return String(s)
    }
}

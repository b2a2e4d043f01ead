import Glibc

/// containers' auth files (podman, skopeo, buildah), in containers/image's order: `REGISTRY_AUTH_FILE` alone
/// when set; else `$XDG_RUNTIME_DIR/containers/auth.json`, `/run/containers/<uid>/auth.json`,
/// `$XDG_CONFIG_HOME/containers/auth.json` (default `~/.config/containers/auth.json`); then the legacy
/// `~/.dockercfg` (a bare `auths` map).
///
/// `auths` keys may name a namespace or repository (`registry/namespace/repo`); with a repository in the
/// request the longest matching key wins, as in containers/image. docker's config.json, which containers also
/// read, is the `docker` source's business.
public struct ContainersAuthSource: CredentialSource {
    let paths: [String]
    let legacyPath: String?
    let runner: HelperRunner
    let note: @Sendable (String) -> Void
    let explain: @Sendable (String) -> Void

    public var name: String { "containers (\(paths.first ?? "auth.json"))" }

    /// A source over the environment's auth files.
    public init(
        environment: Environment, runner: HelperRunner, note: @escaping @Sendable (String) -> Void = { _ in },
        explain: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        let home = OSSBPaths(environment: environment).home
        if let explicit = environment["REGISTRY_AUTH_FILE"] {
            paths = [explicit]
        } else {
            var list: [String] = []
            if let runtime = environment["XDG_RUNTIME_DIR"] { list.append("\(runtime)/containers/auth.json") }
            list.append("/run/containers/\(getuid())/auth.json")
            if let config = environment["XDG_CONFIG_HOME"] {
                list.append("\(config)/containers/auth.json")
            } else if let home {
                list.append("\(home)/.config/containers/auth.json")
            }
            var seen = Set<String>()
            paths = list.filter { seen.insert($0).inserted }
        }
        legacyPath = home.map { "\($0)/.dockercfg" }
        self.runner = runner
        self.note = note
        self.explain = explain
    }

    /// The keys to try for a request, most specific first: `host/ns/repo`, `host/ns`, `host`.
    static func candidateKeys(for request: CredentialRequest) -> [String] {
        var keys: [String] = []
        if let repository = request.repository, !repository.isEmpty {
            var components = repository.split(separator: "/").map(String.init)
            while !components.isEmpty {
                keys.append("\(request.host)/\(components.joined(separator: "/"))")
                components.removeLast()
            }
        }
        keys.append(request.host)
        return keys
    }

    public func credentials(for request: CredentialRequest) throws -> Credentials? {
        for path in paths {
            guard let file = try AuthFile.load(path: path) else { continue }
            if let helper = file.credHelper(forHost: request.host) {
                if let refusal = runner.refusal(for: helper) {
                    explain("\(path): \(refusal)")
                } else {
                    do {
                        if let found = try runner.client(helper).get(request.host) { return found.credentials }
                    } catch let error as HelperClientError where error.notInstalled {
                        note(HelperClientError.notInstalledNote(error, namedIn: "\(path)"))
                    }
                }
            }
            if let found = try lookup(file, request) { return found }
        }
        if let legacyPath, let bytes = (try? FileIO.readIfExists(legacyPath)) ?? nil {
            // ~/.dockercfg is the bare map that `auths` later wrapped.
            var wrapped = Array("{\"auths\":".utf8)
            wrapped += bytes
            wrapped += Array("}".utf8)
            let file = try AuthFile.parse(wrapped, origin: legacyPath)
            if let found = try lookup(file, request) { return found }
        }
        return nil
    }

    private func lookup(_ file: AuthFile, _ request: CredentialRequest) throws -> Credentials? {
        // Keys are normalised as containers/image normalises them: scheme and trailing slash dropped, Docker
        // Hub's legacy names folded into docker.io.
        var byNormalized: [String: String] = [:]
        for key in file.auths.names where byNormalized[ServerAddress.normalize(key)] == nil {
            byNormalized[ServerAddress.normalize(key)] = key
        }
        for candidate in Self.candidateKeys(for: request) {
            guard let key = byNormalized[ServerAddress.normalize(candidate)] else { continue }
            let credentials = try file.entry(key)
            if !credentials.isEmpty { return credentials }
        }
        return nil
    }

    public func list() throws -> [String: String] {
        var result: [String: String] = [:]
        for path in paths.reversed() {
            guard let file = try AuthFile.load(path: path) else { continue }
            result.merge(try file.listAuths()) { _, new in new }
        }
        return result
    }
}

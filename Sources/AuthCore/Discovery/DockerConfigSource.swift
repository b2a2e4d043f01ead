import RegistryVocabulary

/// docker's credentials: the `DOCKER_AUTH_CONFIG` variable (docker CLI 28.3+), then
/// `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`.
///
/// Within each document docker's own order applies: `credHelpers[host]`, else `credsStore`, else `auths`.
/// `auths` keys are compared by host, as docker compares them (`https://r.example/v1/` serves `r.example`).
public struct DockerConfigSource: CredentialSource {
    /// Where a document comes from.
    enum Document: Sendable {
        case inline(String)
        case file(String)

        func load() throws -> AuthFile? {
            switch self {
            case .inline(let text): return try AuthFile.parse(Array(text.utf8), origin: "DOCKER_AUTH_CONFIG")
            case .file(let path): return try AuthFile.load(path: path)
            }
        }
    }

    /// The documents, `DOCKER_AUTH_CONFIG` first.
    let documents: [Document]
    let configPath: String?
    let runner: HelperRunner
    /// Receives notes about skipped helpers.
    let note: @Sendable (String) -> Void
    let explain: @Sendable (String) -> Void

    public var name: String { "docker (\(configPath ?? "DOCKER_AUTH_CONFIG"))" }

    /// A source over the environment's docker configuration.
    public init(
        environment: Environment, runner: HelperRunner, note: @escaping @Sendable (String) -> Void = { _ in },
        explain: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        var documents: [Document] = []
        if let inline = environment["DOCKER_AUTH_CONFIG"] { documents.append(.inline(inline)) }
        let path =
            environment["DOCKER_CONFIG"].map { "\($0)/config.json" }
            ?? OSSBPaths(environment: environment).home.map { "\($0)/.docker/config.json" }
        if let path { documents.append(.file(path)) }
        self.documents = documents
        self.configPath = path
        self.runner = runner
        self.note = note
        self.explain = explain
    }

    public func credentials(for request: CredentialRequest) throws -> Credentials? {
        for document in documents {
            guard let file = try document.load() else { continue }
            if let helper = file.credHelper(forHost: request.host) ?? file.credsStore {
                if let found = try ask(helper: helper, file: file, request: request) { return found }
                // docker does not fall back to `auths` once a helper is configured for the host, but a
                // helper we refuse to run (the front itself) or that is missing should not hide `auths`.
            }
            let keys = file.auths.names.filter { ServerAddress.host(of: $0) == request.host }
            // The exact spelling first, then docker's preferred key for the host.
            let ordered = keys.sorted { a, b in
                (a == request.serverURL ? 0 : 1, a) < (b == request.serverURL ? 0 : 1, b)
            }
            for key in ordered {
                let credentials = try file.entry(key)
                if !credentials.isEmpty { return credentials }
            }
        }
        return nil
    }

    private func ask(helper: String, file: AuthFile, request: CredentialRequest) throws -> Credentials? {
        if let refusal = runner.refusal(for: helper) {
            explain("\(file.origin): \(refusal)")
            return nil
        }
        let client: HelperClient
        do {
            client = try runner.client(helper)
        } catch let error as HelperClientError where error.notInstalled {
            note(HelperClientError.notInstalledNote(error, namedIn: "\(file.origin)"))
            return nil
        }
        let primary = DockerHub.credentialKey(forHost: request.host)
        if let found = try client.get(primary) { return found.credentials }
        if request.serverURL != primary, let found = try client.get(request.serverURL) { return found.credentials }
        return nil
    }

    public func list() throws -> [String: String] {
        var result: [String: String] = [:]
        for document in documents.reversed() {
            guard let file = try document.load() else { continue }
            result.merge(try file.listAuths()) { _, new in new }
        }
        return result
    }
}

/// Cloud registries: for a host that matches a cloud (`CloudRegistry`), the cloud's helper
/// (`docker-credential-ossb-ecr`, `-gcr`, `-acr`) is run as a plugin and mints the credential. Discovery itself
/// never links the network code the helpers need, so every other helper stays small and fast.
///
/// A cloud helper that is missing or fails (no AWS credentials on this machine, say) is noted and skipped, as the
/// keyring is: the credential may well be in a later source (a `docker login` with a token made by the cloud's CLI).
public struct CloudSource: CredentialSource {
    let runner: HelperRunner
    let note: @Sendable (String) -> Void

    public var name: String { "cloud" }

    /// A source that runs the cloud helpers found beside this program or on PATH.
    /// - Parameters:
    ///   - note: receives warnings (a cloud helper failed or is missing).
    public init(runner: HelperRunner, note: @escaping @Sendable (String) -> Void = { _ in }) {
        self.runner = runner
        self.note = note
    }

    /// The cloud helper's client; the helpers are ours and never run discovery, so the chain rule does not apply.
    func client(_ cloud: CloudRegistry) throws -> HelperClient {
        try HelperClient(name: cloud.helperName, environment: runner.environment, searchFirst: runner.searchFirst)
    }

    public func skipReason(for request: CredentialRequest) -> String? {
        CloudRegistry.serving(host: request.host) == nil ? "\(request.host) is no cloud's registry" : nil
    }

    public func credentials(for request: CredentialRequest) throws -> Credentials? {
        guard let cloud = CloudRegistry.serving(host: request.host) else { return nil }
        do {
            return try client(cloud).get(request.serverURL)?.credentials
        } catch {
            note("cloud: \(error), skipped")
            return nil
        }
    }

    /// What the installed cloud helpers have cached; a missing helper lists nothing.
    public func list() throws -> [String: String] {
        var result: [String: String] = [:]
        for cloud in CloudRegistry.allCases {
            guard let client = try? client(cloud) else { continue }
            do {
                result.merge(try client.list()) { first, _ in first }
            } catch {
                note("cloud: \(error), skipped in list")
            }
        }
        return result
    }
}

/// The desktop keyring, reached through `docker-credential-ossb-secretservice` run as a plugin: discovery
/// never links libsecret, so it works (and starts fast) where there is no keyring at all.
public struct KeyringSource: CredentialSource {
    /// The keyring helper's suffix.
    package static let helperName = "ossb-secretservice"

    /// Starts the keyring helper's one-line failure when no Secret Service exists here (no session bus, or
    /// nothing on it provides one): the only keyring failure after which `credential_store: auto` may store
    /// in the file instead. A locked or unresponsive keyring has other prefixes and is an error.
    package static let unavailablePrefix = "keyring unavailable:"

    let environment: Environment
    let runner: HelperRunner
    let note: @Sendable (String) -> Void
    let explain: @Sendable (String) -> Void

    public var name: String { "keyring" }

    /// A source over the environment's session bus.
    /// - Parameters:
    ///   - note: receives warnings (the keyring helper failed or is missing).
    ///   - explain: receives explanations only (no session bus, the normal state of a server).
    public init(
        environment: Environment, runner: HelperRunner, note: @escaping @Sendable (String) -> Void = { _ in },
        explain: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.environment = environment
        self.runner = runner
        self.note = note
        self.explain = explain
    }

    /// A client for the keyring helper, or `nil` (with a note) when there is no bus or no helper.
    func client() -> HelperClient? {
        if let reason = noBus {
            explain("keyring: \(reason), not asked")
            return nil
        }
        do {
            // The keyring helper is ours and never recurses, so the chain rule does not apply to it.
            return try HelperClient(
                name: Self.helperName, environment: runner.environment, searchFirst: runner.searchFirst)
        } catch {
            note("keyring: \(error), skipped")
            return nil
        }
    }

    public func skipReason(for request: CredentialRequest) -> String? { noBus }

    /// Why the keyring cannot be reached whatever is asked, or `nil` when there may be a session bus.
    private var noBus: String? {
        SessionBus.mayExist(environment)
            ? nil : "no D-Bus session bus (no DBUS_SESSION_BUS_ADDRESS, $XDG_RUNTIME_DIR/bus or DISPLAY)"
    }

    /// Keyring failures (no Secret Service, a locked collection) are noted and skipped rather than failing
    /// discovery: on servers the keyring is usually absent, and the next source may well answer.
    public func credentials(for request: CredentialRequest) throws -> Credentials? {
        guard let client = client() else { return nil }
        do {
            return try client.get(request.serverURL)?.credentials
        } catch {
            note("keyring: \(error), skipped")
            return nil
        }
    }

    public func list() throws -> [String: String] {
        guard let client = client() else { return [:] }
        do {
            return try client.list()
        } catch {
            note("keyring: \(error), skipped")
            return [:]
        }
    }
}

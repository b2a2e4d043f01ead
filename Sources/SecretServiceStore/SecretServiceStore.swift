import AuthCore
import CLibSecret

/// The desktop keyring backend: credentials in the Secret Service (gnome-keyring, KeePassXC, KWallet's
/// bridge), in exactly the layout docker's `docker-credential-secretservice` uses. Writes go through
/// libsecret; reads talk to the Secret Service over GDBus directly (`SecretServiceConnection`), which is what
/// makes `get` and `list` faster than docker's helper.
///
/// Layout (docs/keyring.md): schema `io.docker.Credentials`, attributes `label` = `Docker Credentials`,
/// `server` = the ServerURL as given, `username`, `docker_cli` = `1`, items in the default collection, item
/// label = the bare ServerURL. A user switching helpers keeps every credential, in both directions.
///
/// Every call is bounded by `timeout` (`OSSB_KEYRING_TIMEOUT`), never prompts (a locked collection is an
/// error), and fails with one line starting `SecretServiceMessages.unavailablePrefix` when no Secret Service
/// answers. GLib reads the bus address from the process environment, not from `Environment`.
public struct SecretServiceStore: CredentialStore {
    /// The value docker's helper puts in the `label` attribute of every item it writes.
    public static let dockerLabel = "Docker Credentials"

    /// The bound on each keyring call, in seconds.
    public let timeout: Double

    public var name: String { "keyring" }

    /// A store with an explicit bound.
    /// - Parameter timeout: seconds each keyring call may take before it fails.
    public init(timeout: Double = KeyringTimeout.defaultSeconds) {
        self.timeout = timeout
    }

    /// The store the environment describes: `OSSB_KEYRING_TIMEOUT`, and a quick check that a session bus
    /// can exist at all, so a headless server fails at once rather than after spawning `dbus-launch`.
    /// - Throws: `CredentialStoreError` for a bad `OSSB_KEYRING_TIMEOUT`, or the `noSessionBus` message.
    public init(environment: Environment) throws {
        self.init(timeout: try KeyringTimeout.seconds(from: environment))
        if SessionBus.address(environment: environment) == nil {
            throw CredentialStoreError(.unavailable, SecretServiceMessages.noSessionBus)
        }
    }

    public func get(_ serverURL: String) throws -> HelperCredential? {
        let timeout = timeout
        return try KeyringCall.run(timeout: timeout) { cancellable in
            try SecretServiceConnection.with(cancellable: cancellable, timeout: timeout) { connection in
                // The exact key first; then any stored key with the same normalised form.
                if let found = try Self.newest(server: serverURL, in: connection) {
                    return HelperCredential(serverURL: serverURL, username: found.item.username, secret: found.secret)
                }
                let all = try connection.items(matching: ["docker_cli": "1"], action: "read")
                guard let key = ServerAddress.bestKey(for: serverURL, in: all.map(\.server).sorted()),
                    let found = try Self.newest(server: key, in: connection)
                else { return nil }
                return HelperCredential(serverURL: serverURL, username: found.item.username, secret: found.secret)
            }
        }
    }

    public func store(_ credential: HelperCredential) throws {
        let timeout = timeout
        try KeyringCall.run(timeout: timeout) { cancellable in
            try SecretServiceConnection.with(cancellable: cancellable, timeout: timeout) { connection in
                try connection.withService { service in
                    try connection.requireUnlockedDefaultCollection(service: service)
                    try connection.store(
                        service: service,
                        attributes: Self.attributes(server: credential.serverURL, username: credential.username),
                        label: credential.serverURL, secret: credential.secret)
                    // Docker's helper keeps one item per (server, username); a server has one credential, so
                    // older items for other user names go, after the new one is safely stored.
                    let items = try connection.items(
                        matching: ["server": credential.serverURL, "docker_cli": "1"], action: "store")
                    for item in items where item.username != credential.username && !item.locked {
                        try connection.delete(item, service: service, action: "store")
                    }
                }
            }
        }
    }

    public func erase(_ serverURL: String) throws {
        let timeout = timeout
        try KeyringCall.run(timeout: timeout) { cancellable in
            try SecretServiceConnection.with(cancellable: cancellable, timeout: timeout) { connection in
                let items = try connection.items(matching: ["server": serverURL, "docker_cli": "1"], action: "erase")
                // Deleting a locked item makes the service ask for an unlock prompt: refuse instead.
                if items.contains(where: \.locked) {
                    throw CredentialStoreError(.unavailable, SecretServiceMessages.locked)
                }
                if items.isEmpty { return }
                try connection.withService { service in
                    for item in items { try connection.delete(item, service: service, action: "erase") }
                }
            }
        }
    }

    public func list() throws -> [String: String] {
        let timeout = timeout
        return try KeyringCall.run(timeout: timeout) { cancellable in
            try SecretServiceConnection.with(cancellable: cancellable, timeout: timeout) { connection in
                // Keyed on the `server` attribute, not the item label (docker's helper v0.6 reports labels,
                // which v0.9 changed to "Registry credentials for ..."). No secrets are fetched: `list`
                // never shows them, and skipping them saves the session set-up and a round trip.
                let items = try connection.items(matching: ["docker_cli": "1"], action: "list")
                var newest: [String: KeyringItem] = [:]
                for item in items where item.modified >= (newest[item.server]?.modified ?? 0) {
                    newest[item.server] = item
                }
                return newest.mapValues(\.username)
            }
        }
    }

    // MARK: - Helpers

    /// The attributes docker's helper writes for a credential.
    static func attributes(server: String, username: String) -> [String: String] {
        ["label": dockerLabel, "server": server, "username": username, "docker_cli": "1"]
    }

    /// The newest item stored under exactly `server`, with its secret; `nil` when there is none.
    /// - Throws: the locked error when that item's secret cannot be read without unlocking.
    static func newest(server: String, in connection: SecretServiceConnection) throws -> (item: KeyringItem, secret: String)? {
        let items = try connection.items(matching: ["server": server, "docker_cli": "1"], action: "read")
        guard let item = KeyringItem.newest(items) else { return nil }
        if item.locked { throw CredentialStoreError(.unavailable, SecretServiceMessages.locked) }
        guard let secret = try connection.secret(of: item.path) else { return nil }
        return (item, secret)
    }
}

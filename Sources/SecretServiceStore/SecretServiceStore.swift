import AuthCore
import CLibSecret

/// The desktop keyring backend: credentials in the Secret Service (gnome-keyring, KeePassXC, KWallet's
/// bridge), in exactly the layout docker's `docker-credential-secretservice` uses, through libsecret's
/// path-based calls (`SecretServiceConnection`).
///
/// Layout (docs/keyring.md): schema `io.docker.Credentials`, attributes `label` = `Docker Credentials`,
/// `server` = the ServerURL as given, `username`, `docker_cli` = `1`, items in the default collection, item
/// label = the bare ServerURL. A user switching helpers keeps every credential, in both directions.
///
/// Every call is bounded by `timeout` (`OSSB_KEYRING_TIMEOUT`). A locked collection is handed to the Secret
/// Service to unlock (its prompt); when it stays locked the action fails with one line starting
/// `SecretServiceMessages.lockedPrefix`. Only "no Secret Service here" starts with
/// `SecretServiceMessages.unavailablePrefix`, the one failure after which the front may use the file instead.
/// GLib reads the bus address from the process environment, not from `Environment`.
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
                // The exact key, and any stored key `ServerAddress.matches` (the same rule `erase` removes by):
                // both searches go out at once, and every docker item's attributes are read only when the exact
                // key is not stored. Once the exact search finds something, the session's key exchange runs while
                // the attributes are read.
                let exact = connection.search(Self.attributes(server: serverURL))
                let spellings = connection.search(Self.dockerItems)
                var session: UnsafeMutablePointer<GThread>?
                defer { if let session { connection.abandonSession(session) } }
                var candidates = try connection.items(found: exact, action: "read") {
                    session = try connection.startSession()
                }
                if candidates.isEmpty {
                    candidates = try connection.items(found: spellings, action: "read")
                        .filter { ServerAddress.matches($0.server, serverURL) }
                }
                guard let item = KeyringItem.newest(candidates) else { return nil }
                if let started = session {
                    session = nil
                    try connection.awaitSession(started, action: "read")
                }
                if item.locked, try !connection.unlock([item.path], action: "read") {
                    throw CredentialStoreError(.unavailable, SecretServiceMessages.locked)
                }
                guard let secret = try connection.secret(of: item.path) else { return nil }
                return HelperCredential(serverURL: serverURL, username: item.username, secret: secret)
            }
        }
    }

    public func store(_ credential: HelperCredential) throws {
        let timeout = timeout
        try KeyringCall.run(timeout: timeout) { cancellable in
            try SecretServiceConnection.with(cancellable: cancellable, timeout: timeout) { connection in
                try connection.unlockDefaultCollection(action: "store")
                try connection.store(
                    attributes: Self.attributes(server: credential.serverURL, username: credential.username),
                    label: credential.serverURL, secret: credential.secret)
                // Docker's helper keeps one item per (server, username); a server has one credential, so older
                // items for other user names go, but only once the new one has been read back intact: a store
                // that failed half-way must not cost the user the credential they had.
                let items = try connection.items(
                    found: connection.search(Self.attributes(server: credential.serverURL)), action: "store")
                guard
                    let stored = KeyringItem.newest(items.filter { $0.username == credential.username && !$0.locked }),
                    try connection.secret(of: stored.path, action: "store") == credential.secret
                else {
                    throw CredentialStoreError(.unavailable, SecretServiceMessages.unconfirmedStore)
                }
                for item in items where item.username != credential.username && !item.locked {
                    try connection.delete(item, action: "store")
                }
            }
        }
    }

    /// Removes every docker item `get` could serve for `serverURL`: the exact key and every other spelling
    /// `ServerAddress.matches` (Go's helper and docker erase one exact key, which leaves podman's `docker.io`
    /// entry serving after `docker logout`). Items for other registries are untouched.
    /// - Throws: the locked or timeout error, saying the credential may remain, when the keyring could not
    ///   be changed.
    public func erase(_ serverURL: String) throws {
        let timeout = timeout
        do {
            try KeyringCall.run(timeout: timeout) { cancellable in
                try SecretServiceConnection.with(cancellable: cancellable, timeout: timeout) { connection in
                    let items = try connection.items(found: connection.search(Self.dockerItems), action: "erase")
                        .filter { ServerAddress.matches($0.server, serverURL) }
                    let locked = items.filter(\.locked).map(\.path)
                    if try !connection.unlock(locked, action: "erase") {
                        throw CredentialStoreError(.unavailable, SecretServiceMessages.locked)
                    }
                    for item in items { try connection.delete(item, action: "erase") }
                }
            }
        } catch let error as CredentialStoreError
            where !error.message.hasPrefix(SecretServiceMessages.unavailablePrefix)
        {
            // No keyring at all means nothing can remain in one; any other failure may have left the item.
            throw CredentialStoreError(error.kind, error.message + SecretServiceMessages.mayRemain)
        }
    }

    public func list() throws -> [String: String] {
        let timeout = timeout
        return try KeyringCall.run(timeout: timeout) { cancellable in
            try SecretServiceConnection.with(cancellable: cancellable, timeout: timeout) { connection in
                // Keyed on the `server` attribute, not the item label (docker's helper v0.6 reports labels,
                // which v0.9 changed to "Registry credentials for ..."). No secrets are fetched: `list`
                // never shows them, and attributes stay readable in a locked collection.
                let items = try connection.items(found: connection.search(Self.dockerItems), action: "list")
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

    /// The attributes that find every item stored under exactly `server`.
    static func attributes(server: String) -> [String: String] {
        ["server": server, "docker_cli": "1"]
    }

    /// The attributes that find every docker credential item.
    static let dockerItems = ["docker_cli": "1"]
}

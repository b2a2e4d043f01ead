import CLibSecret

/// One docker credential item as the keyring holds it: the attributes docker's helper writes, and the
/// secret when it was loaded. Read on the worker thread from a `SecretItem`.
struct KeyringItem: Sendable {
    /// The `server` attribute: the ServerURL exactly as `store` received it.
    var server: String
    /// The `username` attribute (`<token>` for an identity token).
    var username: String
    /// Last modification, seconds since the epoch: the newest of several items for one server wins.
    var modified: UInt64
    /// Whether the item is locked (its secret cannot be read without an unlock prompt).
    var locked: Bool
    /// The secret, when the search loaded it and the item was unlocked.
    var secret: String?

    /// Reads an item's attributes (and its secret, if loaded).
    /// - Returns: `nil` for an item without a `server` attribute, which no docker client could ask for.
    init?(_ item: UnsafeMutablePointer<SecretItem>) {
        guard let attributes = secret_item_get_attributes(item) else { return nil }
        defer { g_hash_table_unref(attributes) }
        guard let server = ossb_attributes_get(attributes, "server") else { return nil }
        self.server = String(cString: server)
        username = ossb_attributes_get(attributes, "username").map { String(cString: $0) } ?? ""
        modified = UInt64(secret_item_get_modified(item))
        locked = secret_item_get_locked(item) != 0
        secret = nil
        if let value = secret_item_get_secret(item) {
            defer { secret_value_unref(UnsafeMutableRawPointer(value)) }
            var length = 0
            if let bytes = secret_value_get(value, &length) {
                let buffer = UnsafeRawBufferPointer(start: bytes, count: length)
                secret = String(decoding: buffer, as: UTF8.self)
            }
        }
    }

    /// The item to use among several for one server: the most recently modified, as the last `store` made it.
    static func newest(_ items: [KeyringItem]) -> KeyringItem? {
        items.max { $0.modified < $1.modified }
    }
}

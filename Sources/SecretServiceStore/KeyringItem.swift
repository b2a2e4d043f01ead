import CLibSecret

/// One docker credential item as the keyring holds it: where it is and the attributes docker's helper
/// writes. The secret is fetched separately, and only by `get`.
struct KeyringItem: Sendable {
    /// The item's D-Bus object path.
    var path: String
    /// The `server` attribute: the ServerURL exactly as `store` received it.
    var server: String
    /// The `username` attribute (`<token>` for an identity token).
    var username: String
    /// Last modification, seconds since the epoch: the newest of several items for one server wins.
    var modified: UInt64
    /// Whether the item is locked (its secret cannot be read without an unlock prompt).
    var locked: Bool

    /// Reads an item from the attribute table `ossb_property_attributes` made from its `Properties.Get` answer.
    /// - Returns: `nil` for an item without a `server` attribute, which no docker client could ask for.
    init?(path: String, attributes: OpaquePointer, modified: UInt64, locked: Bool) {
        guard let server = ossb_attributes_get(attributes, "server") else { return nil }
        self.path = path
        self.server = String(cString: server)
        username = ossb_attributes_get(attributes, "username").map { String(cString: $0) } ?? ""
        self.modified = modified
        self.locked = locked
    }

    /// The item to use among several for one server: the most recently modified, as the last `store` made it.
    static func newest(_ items: [KeyringItem]) -> KeyringItem? {
        items.max { $0.modified < $1.modified }
    }
}

import AuthCore
import CLibSecret
import Foundation

@testable import SecretServiceStore

/// Reads and writes the test keyring directly through libsecret, beside the store under test, to check
/// what the store wrote and to plant items another program could have written.
enum KeyringInspector {
    /// Whether `scripts/testbed/keyring-session.sh` brought up an unlocked gnome-keyring for this run.
    static let available = ProcessInfo.processInfo.environment["OSSB_TEST_KEYRING"] != nil

    /// A server name no other test uses (the keyring is shared by the whole run, and tests run in parallel).
    static func uniqueServer(_ tag: String) -> String {
        "\(tag)-\(UInt32.random(in: 0...UInt32.max)).store-tests.example:5000"
    }

    /// One stored item as the keyring has it.
    struct Item: Sendable {
        var label: String
        var attributes: [String: String]
        var secret: String?
        /// How many attributes the item has in all (`attributes` holds only the ones docker's layout names).
        var attributeCount: Int
    }

    /// Every docker item stored under exactly `server`, with label and all attributes.
    static func items(server: String) throws -> [Item] {
        try withConnection { connection in
            try connection.withItems(matching: ["server": server, "docker_cli": "1"], loadSecrets: true, action: "inspect") { pairs in
                pairs.map { pair in
                    let label = secret_item_get_label(pair.item).map { pointer in
                        defer { g_free(pointer) }
                        return String(cString: pointer)
                    } ?? ""
                    var attributes: [String: String] = [:]
                    let table = secret_item_get_attributes(pair.item)!
                    defer { g_hash_table_unref(table) }
                    for name in ["label", "server", "username", "docker_cli", "xdg:schema"] {
                        if let value = ossb_attributes_get(table, name) { attributes[name] = String(cString: value) }
                    }
                    return Item(
                        label: label, attributes: attributes, secret: pair.info.secret,
                        attributeCount: Int(g_hash_table_size(table)))
                }
            }
        }
    }

    /// Stores an item with docker's attributes but a label and user name of our choosing.
    static func plant(server: String, username: String, label: String, secret: String) throws {
        try withConnection { connection in
            try connection.store(
                attributes: SecretServiceStore.attributes(server: server, username: username), label: label, secret: secret)
        }
    }

    static func withConnection<T: Sendable>(_ body: @escaping @Sendable (SecretServiceConnection) throws -> T) throws -> T {
        try KeyringCall.run(timeout: 10) { cancellable in
            try SecretServiceConnection.with(cancellable: cancellable, timeout: 10, body)
        }
    }
}

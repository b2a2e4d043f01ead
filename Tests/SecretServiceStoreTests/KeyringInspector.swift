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

    /// Every docker item stored under exactly `server`, with label, all attributes and secret, read through
    /// libsecret's own `SecretItem` objects (not the path functions the store uses).
    static func items(server: String) throws -> [Item] {
        try withConnection { connection in
            let service = try connection.service()
            let table = SecretServiceConnection.table(["server": server, "docker_cli": "1"])
            defer { g_hash_table_unref(table) }
            var error: UnsafeMutablePointer<GError>?
            let flags = SecretSearchFlags(rawValue: SECRET_SEARCH_ALL.rawValue | SECRET_SEARCH_LOAD_SECRETS.rawValue)
            let list = secret_service_search_sync(service, ossb_docker_schema(), table, flags, nil, &error)
            if let error {
                defer { g_error_free(error) }
                throw InspectorError(description: String(cString: error.pointee.message))
            }
            defer { g_list_free(list) }
            var found: [Item] = []
            var node = list
            while let current = node {
                let item = current.pointee.data.assumingMemoryBound(to: SecretItem.self)
                defer { g_object_unref(item) }
                let label =
                    secret_item_get_label(item).map { pointer in
                        defer { g_free(pointer) }
                        return String(cString: pointer)
                    } ?? ""
                let attributes = secret_item_get_attributes(item)!
                defer { g_hash_table_unref(attributes) }
                var named: [String: String] = [:]
                for name in ["label", "server", "username", "docker_cli", "xdg:schema"] {
                    if let value = ossb_attributes_get(attributes, name) { named[name] = String(cString: value) }
                }
                var secret: String?
                if let value = secret_item_get_secret(item) {
                    defer { secret_value_unref(UnsafeMutableRawPointer(value)) }
                    secret = String(cString: secret_value_get_text(value))
                }
                found.append(
                    Item(
                        label: label, attributes: named, secret: secret,
                        attributeCount: Int(g_hash_table_size(attributes))))
                node = current.pointee.next
            }
            return found
        }
    }

    /// Stores an item with docker's attributes but a label and user name of our choosing.
    static func plant(server: String, username: String, label: String, secret: String) throws {
        try withConnection { connection in
            try connection.store(
                attributes: SecretServiceStore.attributes(server: server, username: username), label: label,
                secret: secret)
        }
    }

    static func withConnection<T: Sendable>(_ body: @escaping @Sendable (SecretServiceConnection) throws -> T) throws
        -> T
    {
        try KeyringCall.run(timeout: 10) { cancellable in
            try SecretServiceConnection.with(cancellable: cancellable, timeout: 10, body)
        }
    }
}

struct InspectorError: Error, CustomStringConvertible {
    let description: String
}

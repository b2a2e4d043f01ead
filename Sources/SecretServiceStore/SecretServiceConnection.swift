import AuthCore
import CLibSecret

/// The Secret Service as seen from the worker thread of one `KeyringCall`: every libsecret call made with
/// the call's cancellable, every `GError` turned into the backend's one-line error.
///
/// Nothing here asks libsecret to unlock (`SECRET_SEARCH_UNLOCK`) or to create a collection: both can pop
/// an interactive prompt, and a helper that waits on a prompt nobody sees hangs `docker pull`. Locked items
/// and a missing default collection are reported instead.
struct SecretServiceConnection {
    let service: UnsafeMutablePointer<SecretService>
    let cancellable: UnsafeMutablePointer<GCancellable>
    let timeout: Double

    /// The alias of the collection docker's helper stores into (`SECRET_COLLECTION_DEFAULT`).
    static let defaultCollection = "default"

    /// Connects to the session bus and the Secret Service on it, then runs `body`.
    static func with<T>(
        cancellable: UnsafeMutablePointer<GCancellable>, timeout: Double,
        _ body: (SecretServiceConnection) throws -> T
    ) throws -> T {
        var error: UnsafeMutablePointer<GError>?
        guard let service = secret_service_get_sync(SECRET_SERVICE_NONE, cancellable, &error) else {
            throw GLibFailure.convert(error, stage: .connect, timeout: timeout)
        }
        defer { g_object_unref(service) }
        // The proxy is created even when nobody owns org.freedesktop.secrets; without an owner every call
        // would fail with ServiceUnknown, so say so now, once, in words.
        let proxy = UnsafeMutableRawPointer(service).assumingMemoryBound(to: GDBusProxy.self)
        if let owner = g_dbus_proxy_get_name_owner(proxy) {
            g_free(owner)
        } else {
            throw CredentialStoreError(.unavailable, SecretServiceMessages.noSecretService)
        }
        return try body(SecretServiceConnection(service: service, cancellable: cancellable, timeout: timeout))
    }

    /// Docker credential items matching `attributes` (plus the schema name, which libsecret adds).
    /// - Parameters:
    ///   - attributes: attribute values to match exactly.
    ///   - loadSecrets: whether to fetch the secrets of unlocked items too (one more round trip).
    ///   - action: the operation, for messages.
    func items(matching attributes: [String: String], loadSecrets: Bool, action: String) throws -> [KeyringItem] {
        try withItems(matching: attributes, loadSecrets: loadSecrets, action: action) { pairs in pairs.map(\.info) }
    }

    /// Runs `body` over the live `SecretItem`s matching `attributes`, released afterwards.
    func withItems<T>(
        matching attributes: [String: String], loadSecrets: Bool, action: String,
        _ body: ([(item: UnsafeMutablePointer<SecretItem>, info: KeyringItem)]) throws -> T
    ) throws -> T {
        let table = Self.table(attributes)
        defer { g_hash_table_unref(table) }
        var flags = SECRET_SEARCH_ALL.rawValue
        if loadSecrets { flags |= SECRET_SEARCH_LOAD_SECRETS.rawValue }
        var error: UnsafeMutablePointer<GError>?
        let list = secret_service_search_sync(
            service, ossb_docker_schema(), table, SecretSearchFlags(rawValue: flags), cancellable, &error)
        if error != nil { throw GLibFailure.convert(error, stage: .operation(action), timeout: timeout) }
        defer { if let list { ossb_item_list_free(list) } }
        var pairs: [(item: UnsafeMutablePointer<SecretItem>, info: KeyringItem)] = []
        var node = list
        while let current = node {
            let item = ossb_item_list_data(current)!
            if let info = KeyringItem(item) { pairs.append((item, info)) }
            node = current.pointee.next
        }
        return try body(pairs)
    }

    /// Fails with the locked message unless the default collection exists and is unlocked.
    func requireUnlockedDefaultCollection() throws {
        var error: UnsafeMutablePointer<GError>?
        let collection = secret_collection_for_alias_sync(
            service, Self.defaultCollection, SECRET_COLLECTION_NONE, cancellable, &error)
        if error != nil { throw GLibFailure.convert(error, stage: .operation("store"), timeout: timeout) }
        guard let collection else {
            throw CredentialStoreError(.unavailable, SecretServiceMessages.noDefaultCollection)
        }
        defer { g_object_unref(collection) }
        if secret_collection_get_locked(collection) != 0 {
            throw CredentialStoreError(.unavailable, SecretServiceMessages.locked)
        }
    }

    /// Creates or replaces the item with exactly these attributes in the default collection.
    func store(attributes: [String: String], label: String, secret: String) throws {
        let table = Self.table(attributes)
        defer { g_hash_table_unref(table) }
        let value = secret_value_new(secret, -1, "text/plain")
        defer { secret_value_unref(UnsafeMutableRawPointer(value)) }
        var error: UnsafeMutablePointer<GError>?
        let stored = secret_service_store_sync(
            service, ossb_docker_schema(), table, Self.defaultCollection, label, value, cancellable, &error)
        if stored == 0 || error != nil {
            throw GLibFailure.convert(error, stage: .operation("store"), timeout: timeout)
        }
    }

    /// Deletes one item.
    func delete(_ item: UnsafeMutablePointer<SecretItem>, action: String) throws {
        var error: UnsafeMutablePointer<GError>?
        if secret_item_delete_sync(item, cancellable, &error) == 0 || error != nil {
            throw GLibFailure.convert(error, stage: .operation(action), timeout: timeout)
        }
    }

    /// A GHashTable of attributes for libsecret.
    static func table(_ attributes: [String: String]) -> OpaquePointer {
        let table = ossb_attributes_new()!
        for (name, value) in attributes { ossb_attributes_set(table, name, value) }
        return table
    }
}

import AuthCore
import CLibSecret

/// The Secret Service as seen from the worker thread of one `KeyringCall`: every libsecret call made with
/// the call's cancellable, every `GError` turned into the backend's one-line error.
///
/// Items are handled by D-Bus path, not as `SecretItem` objects: building a `SecretItem` costs five bus
/// round trips (match rules, name owner, all properties), reading its properties by path costs one. That is
/// most of why `get` and `list` beat docker's helper (bench/keyring-helper.sh).
///
/// Nothing here asks libsecret to unlock or to create a collection: both can pop an interactive prompt, and a
/// helper that waits on a prompt nobody sees hangs `docker pull`. Locked items and a missing default
/// collection are reported instead.
struct SecretServiceConnection {
    /// The session bus connection (GLib's shared one).
    let bus: OpaquePointer
    let cancellable: UnsafeMutablePointer<GCancellable>
    let timeout: Double

    /// The alias of the collection docker's helper stores into (`SECRET_COLLECTION_DEFAULT`).
    static let defaultCollection = "default"
    /// The schema name libsecret records in `xdg:schema` and matches on (docker's helper searches with it).
    static let schemaName = "io.docker.Credentials"

    /// Connects to the session bus, then runs `body`. Whether a Secret Service answers shows with the
    /// first call (ServiceUnknown), so this costs no round trip beyond the bus's own greeting.
    static func with<T>(
        cancellable: UnsafeMutablePointer<GCancellable>, timeout: Double,
        _ body: (SecretServiceConnection) throws -> T
    ) throws -> T {
        var error: UnsafeMutablePointer<GError>?
        guard let bus = g_bus_get_sync(G_BUS_TYPE_SESSION, cancellable, &error) else {
            throw GLibFailure.convert(error, stage: .connect, timeout: timeout)
        }
        defer { g_object_unref(UnsafeMutableRawPointer(bus)) }
        return try body(SecretServiceConnection(bus: bus, cancellable: cancellable, timeout: timeout))
    }

    /// Runs `body` with libsecret's service object, for the writes (`store`, `erase`) that go through libsecret.
    func withService<T>(_ body: (UnsafeMutablePointer<SecretService>) throws -> T) throws -> T {
        var error: UnsafeMutablePointer<GError>?
        guard let service = secret_service_get_sync(SECRET_SERVICE_NONE, cancellable, &error) else {
            throw GLibFailure.convert(error, stage: .connect, timeout: timeout)
        }
        defer { g_object_unref(service) }
        // The proxy is created even when nobody owns org.freedesktop.secrets; say so now, in words.
        guard ossb_service_has_owner(service) != 0 else {
            throw CredentialStoreError(.unavailable, SecretServiceMessages.noSecretService)
        }
        return try body(service)
    }

    /// Docker credential items matching `attributes` and docker's schema name, locked ones included and marked.
    /// - Parameters:
    ///   - attributes: attribute values to match exactly.
    ///   - action: the operation, for messages.
    func items(matching attributes: [String: String], action: String) throws -> [KeyringItem] {
        var attributes = attributes
        attributes["xdg:schema"] = Self.schemaName
        let table = Self.table(attributes)
        defer { g_hash_table_unref(table) }
        var unlocked: UnsafeMutablePointer<UnsafeMutablePointer<gchar>?>?
        var locked: UnsafeMutablePointer<UnsafeMutablePointer<gchar>?>?
        var error: UnsafeMutablePointer<GError>?
        if ossb_search_items(bus, table, &unlocked, &locked, cancellable, &error) == 0 {
            throw GLibFailure.convert(error, stage: .operation(action), timeout: timeout)
        }
        defer {
            g_strfreev(unlocked)
            g_strfreev(locked)
        }
        var items: [KeyringItem] = []
        for (paths, isLocked) in [(unlocked, false), (locked, true)] {
            guard let paths else { continue }
            var index = 0
            while let path = paths[index] {
                if let item = try item(at: String(cString: path), locked: isLocked, action: action) { items.append(item) }
                index += 1
            }
        }
        return items
    }

    /// Reads one item's attributes with a single `GetAll`; `nil` when it has no `server` attribute or was
    /// deleted since the search found it.
    func item(at path: String, locked: Bool, action: String) throws -> KeyringItem? {
        var modified: guint64 = 0
        var error: UnsafeMutablePointer<GError>?
        guard let attributes = ossb_item_properties(bus, path, &modified, cancellable, &error) else {
            if GLibFailure.consumeVanishedObject(error) { return nil }
            throw GLibFailure.convert(error, stage: .operation(action), timeout: timeout)
        }
        defer { g_hash_table_unref(attributes) }
        return KeyringItem(path: path, attributes: attributes, modified: UInt64(modified), locked: locked)
    }

    /// The secret of an unlocked item, over an encrypted transfer session (`secret_transfer.h`); `nil` when
    /// the item was deleted since the search found it.
    func secret(of path: String) throws -> String? {
        var error: UnsafeMutablePointer<GError>?
        guard let transfer = ossb_transfer_open(bus, cancellable, &error) else {
            throw GLibFailure.convert(error, stage: .operation("read"), timeout: timeout)
        }
        defer { ossb_transfer_free(transfer) }
        guard let bytes = ossb_transfer_get_secret(transfer, bus, path, cancellable, &error) else {
            if GLibFailure.consumeVanishedObject(error) { return nil }
            throw GLibFailure.convert(error, stage: .operation("read"), timeout: timeout)
        }
        defer { g_bytes_unref(bytes) }
        var length = 0
        guard let data = g_bytes_get_data(bytes, &length) else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }

    /// Fails with the locked message unless the default collection exists and is unlocked.
    func requireUnlockedDefaultCollection(service: UnsafeMutablePointer<SecretService>) throws {
        var error: UnsafeMutablePointer<GError>?
        let path = secret_service_read_alias_dbus_path_sync(service, Self.defaultCollection, cancellable, &error)
        if error != nil { throw GLibFailure.convert(error, stage: .operation("store"), timeout: timeout) }
        guard let path else { throw CredentialStoreError(.unavailable, SecretServiceMessages.noDefaultCollection) }
        defer { g_free(path) }
        guard let value = ossb_get_property(
            bus, path, "org.freedesktop.Secret.Collection", "Locked", cancellable, &error)
        else { throw GLibFailure.convert(error, stage: .operation("store"), timeout: timeout) }
        defer { g_variant_unref(value) }
        if g_variant_get_boolean(value) != 0 {
            throw CredentialStoreError(.unavailable, SecretServiceMessages.locked)
        }
    }

    /// Creates or replaces the item with exactly these attributes in the default collection.
    func store(
        service: UnsafeMutablePointer<SecretService>, attributes: [String: String], label: String, secret: String
    ) throws {
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

    /// Deletes one unlocked item (a locked one would make the service ask for a prompt).
    func delete(_ item: KeyringItem, service: UnsafeMutablePointer<SecretService>, action: String) throws {
        var error: UnsafeMutablePointer<GError>?
        if secret_service_delete_item_dbus_path_sync(service, item.path, cancellable, &error) == 0 || error != nil {
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

import AuthCore
import CLibSecret
import Glibc

/// The Secret Service as seen from the worker thread of one `KeyringCall`: libsecret's service object, every
/// call made with the call's cancellable, every `GError` turned into the backend's one-line error.
///
/// libsecret does the protocol, including the encrypted session secrets travel over; items are handled by
/// D-Bus path (`secret-paths.h`), not as `SecretItem` objects, because building a `SecretItem` costs five bus
/// round trips and the path calls one. Item attributes, which libsecret reads only through `SecretItem`, are
/// read for all items at once with pipelined `Properties.Get` calls (`ossb_items_property`): that is what keeps
/// `list` of 100 items to a few times a single call (bench/keyring-helper.sh).
///
/// A locked collection or item is handed to the Secret Service to unlock (`unlock(_:)`): on a desktop that
/// shows the keyring's own password prompt; where no prompt can be shown the service dismisses it at once and
/// the caller reports the lock. Nothing here creates a collection.
struct SecretServiceConnection {
    /// libsecret's service object, built lean (`ossb_service_open`), with its session once a secret has been
    /// read or written.
    let service: UnsafeMutablePointer<SecretService>
    /// The session bus connection under the service.
    let bus: OpaquePointer
    let cancellable: UnsafeMutablePointer<GCancellable>
    let timeout: Double

    /// The alias of the collection docker's helper stores into (`SECRET_COLLECTION_DEFAULT`).
    static let defaultCollection = "default"

    /// Connects to the Secret Service on the session bus, then runs `body`.
    /// - Throws: the unavailable error when there is no bus or nothing on it provides the Secret Service.
    static func with<T>(
        cancellable: UnsafeMutablePointer<GCancellable>, timeout: Double,
        _ body: (SecretServiceConnection) throws -> T
    ) throws -> T {
        var error: UnsafeMutablePointer<GError>?
        guard let service = ossb_service_open(cancellable, &error) else {
            throw GLibFailure.convert(error, stage: .connect, timeout: timeout)
        }
        defer { g_object_unref(service) }
        let bus = ossb_service_connection(service)!
        // The proxy is created even when nobody owns org.freedesktop.secrets. A Ping then starts a service the
        // bus can activate, or fails with ServiceUnknown: "no Secret Service", said in words.
        if ossb_service_has_owner(service) == 0, ossb_ping_service(bus, cancellable, &error) == 0 {
            throw GLibFailure.convert(error, stage: .connect, timeout: timeout)
        }
        return try body(SecretServiceConnection(service: service, bus: bus, cancellable: cancellable, timeout: timeout))
    }

    /// Docker credential items matching `attributes` and docker's schema, locked ones included and marked.
    /// - Parameters:
    ///   - attributes: attribute values to match exactly (names from docker's schema).
    ///   - action: the operation, for messages.
    ///   - found: called once the search has found something, before the attributes are read (`get` starts
    ///     the session there, so that its key exchange overlaps that read and a miss costs none).
    func items(
        matching attributes: [String: String], action: String, whenFound found: () -> Void = {}
    ) throws -> [KeyringItem] {
        let table = Self.table(attributes)
        defer { g_hash_table_unref(table) }
        var unlocked: UnsafeMutablePointer<UnsafeMutablePointer<gchar>?>?
        var locked: UnsafeMutablePointer<UnsafeMutablePointer<gchar>?>?
        var error: UnsafeMutablePointer<GError>?
        // With the schema given, libsecret adds `xdg:schema` = io.docker.Credentials to the match, as docker's
        // helper searches.
        if secret_service_search_for_dbus_paths_sync(
            service, ossb_docker_schema(), table, cancellable, &unlocked, &locked, &error) == 0
        {
            throw GLibFailure.convert(error, stage: .operation(action), timeout: timeout)
        }
        defer {
            g_strfreev(unlocked)
            g_strfreev(locked)
        }
        let paths = Self.strings(unlocked) + Self.strings(locked)
        let lockedCount = Self.strings(locked).count
        if !paths.isEmpty { found() }
        var items: [KeyringItem] = []
        try readProperty("Attributes", of: paths, action: action) { index, slot in
            guard let attributes = slot.attributes else { return }
            let isLocked = index >= paths.count - lockedCount
            if let item = KeyringItem(path: paths[index], attributes: attributes, modified: 0, locked: isLocked) {
                items.append(item)
            }
        }
        // The modification time only decides between several items for one server (`KeyringItem.newest`), so it
        // is read for those alone, usually none.
        let servers = Dictionary(grouping: items.indices, by: { items[$0].server })
        let shared = servers.values.filter { $0.count > 1 }.flatMap { $0 }
        try readProperty("Modified", of: shared.map { items[$0].path }, action: action) { index, slot in
            items[shared[index]].modified = UInt64(slot.modified)
        }
        return items
    }

    /// Reads one property of every item in `paths` in one pipelined batch (`ossb_items_property`) and hands
    /// each answer to `body` with its index; items deleted since the search are skipped (an item that vanished
    /// before its `Modified` was read keeps 0, the oldest).
    private func readProperty(
        _ property: String, of paths: [String], action: String, _ body: (Int, OssbItemProperties) -> Void
    ) throws {
        guard !paths.isEmpty else { return }
        let strings = paths.map { strdup($0) }
        defer { for string in strings { free(string) } }
        var array: [UnsafeMutablePointer<gchar>?] = strings + [nil]
        let count = guint(paths.count)
        let slots = array.withUnsafeMutableBufferPointer { buffer in
            ossb_items_property(bus, buffer.baseAddress, count, property, cancellable)!
        }
        defer { ossb_items_properties_free(slots, count) }
        for index in paths.indices {
            if let error = slots[index].error {
                slots[index].error = nil  // both consumers below free it
                if GLibFailure.consumeVanishedObject(error) { continue }
                throw GLibFailure.convert(error, stage: .operation(action), timeout: timeout)
            }
            body(index, slots[index])
        }
    }

    /// The strings of a NULL-terminated array GLib returned.
    static func strings(_ array: UnsafeMutablePointer<UnsafeMutablePointer<gchar>?>?) -> [String] {
        guard let array else { return [] }
        var result: [String] = []
        var index = 0
        while let string = array[index] {
            result.append(String(cString: string))
            index += 1
        }
        return result
    }

    /// The secret of an unlocked item, as exact bytes (libsecret opens the encrypted session on first use);
    /// `nil` when the item was deleted since the search found it.
    func secret(of path: String, action: String = "read") throws -> String? {
        var error: UnsafeMutablePointer<GError>?
        guard let value = secret_service_get_secret_for_dbus_path_sync(service, path, cancellable, &error) else {
            if error == nil || GLibFailure.consumeVanishedObject(error) { return nil }
            throw GLibFailure.convert(error, stage: .operation(action), timeout: timeout)
        }
        // libsecret keeps decrypted secrets in memory it wipes when the value is freed.
        defer { secret_value_unref(UnsafeMutableRawPointer(value)) }
        var length = 0
        guard let bytes = secret_value_get(value, &length) else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self)
    }

    /// Starts opening the encrypted session on another thread (see `ossb_session_start`), so that the key
    /// exchange overlaps the calls that follow.
    /// - Returns: a handle for `awaitSession(_:)` or `abandonSession(_:)`; one of them must be called.
    func startSession() -> UnsafeMutablePointer<GThread> {
        ossb_session_start(service, cancellable)
    }

    /// Waits for the session `startSession` began.
    func awaitSession(_ thread: UnsafeMutablePointer<GThread>, action: String) throws {
        var error: UnsafeMutablePointer<GError>?
        if ossb_session_join(thread, &error) == 0 {
            throw GLibFailure.convert(error, stage: .operation(action), timeout: timeout)
        }
    }

    /// Lets the session `startSession` began finish unused.
    func abandonSession(_ thread: UnsafeMutablePointer<GThread>) {
        ossb_session_abandon(thread)
    }

    /// Asks the Secret Service to unlock `paths` (items or collections). A service that needs the user's
    /// password shows its prompt and libsecret waits for it; without a prompter the service dismisses it.
    /// - Returns: whether every path is unlocked now.
    func unlock(_ paths: [String], action: String) throws -> Bool {
        guard !paths.isEmpty else { return true }
        let strings = paths.map { strdup($0) }
        defer { for string in strings { free(string) } }
        var array: [UnsafePointer<gchar>?] = strings.map { UnsafePointer($0) } + [nil]
        var unlocked: UnsafeMutablePointer<UnsafeMutablePointer<gchar>?>?
        var error: UnsafeMutablePointer<GError>?
        // A person may be typing the keyring password now; the call's own bound is too short for that.
        KeyringCall.waitingForPrompt()
        let count = array.withUnsafeMutableBufferPointer { buffer in
            secret_service_unlock_dbus_paths_sync(service, buffer.baseAddress, cancellable, &unlocked, &error)
        }
        g_strfreev(unlocked)
        if count < 0 || error != nil {
            throw GLibFailure.convert(error, stage: .operation(action), timeout: timeout)
        }
        return Int(count) >= paths.count
    }

    /// Makes sure the default collection exists and is unlocked, asking the service to unlock it if needed.
    /// - Throws: the locked error when it stays locked, the no-collection error when there is none.
    func unlockDefaultCollection(action: String) throws {
        var error: UnsafeMutablePointer<GError>?
        let path = secret_service_read_alias_dbus_path_sync(service, Self.defaultCollection, cancellable, &error)
        if error != nil { throw GLibFailure.convert(error, stage: .operation(action), timeout: timeout) }
        guard let path else { throw CredentialStoreError(.unavailable, SecretServiceMessages.noDefaultCollection) }
        defer { g_free(path) }
        guard
            let value = ossb_get_property(
                bus, path, "org.freedesktop.Secret.Collection", "Locked", cancellable, &error)
        else { throw GLibFailure.convert(error, stage: .operation(action), timeout: timeout) }
        defer { g_variant_unref(value) }
        if g_variant_get_boolean(value) != 0, try !unlock([String(cString: path)], action: action) {
            throw CredentialStoreError(.unavailable, SecretServiceMessages.locked)
        }
    }

    /// Creates or replaces the item with exactly these attributes in the default collection. The secret goes
    /// to libsecret with its length, so a NUL inside it is kept; the copy made here is wiped afterwards.
    func store(attributes: [String: String], label: String, secret: String) throws {
        let table = Self.table(attributes)
        defer { g_hash_table_unref(table) }
        var bytes = Array(secret.utf8)
        defer { bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { explicit_bzero(base, $0.count) } } }
        let value = bytes.withUnsafeBytes { ossb_secret_value_new($0.baseAddress, gsize($0.count)) }
        defer { secret_value_unref(UnsafeMutableRawPointer(value)) }
        var error: UnsafeMutablePointer<GError>?
        let stored = secret_service_store_sync(
            service, ossb_docker_schema(), table, Self.defaultCollection, label, value, cancellable, &error)
        if stored == 0 || error != nil {
            throw GLibFailure.convert(error, stage: .operation("store"), timeout: timeout)
        }
    }

    /// Deletes one item; one deleted meanwhile by another program counts as deleted.
    func delete(_ item: KeyringItem, action: String) throws {
        var error: UnsafeMutablePointer<GError>?
        if secret_service_delete_item_dbus_path_sync(service, item.path, cancellable, &error) == 0 || error != nil {
            if GLibFailure.consumeVanishedObject(error) { return }
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

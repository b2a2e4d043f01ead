import AuthCore
import CLibSecret
import Glibc

/// The Secret Service as seen from the worker thread of one `KeyringCall`: the session bus, a batch of pipelined
/// calls, libsecret's service object when one is needed, every call made with the call's cancellable, every
/// `GError` turned into the backend's one-line error.
///
/// libsecret does the protocol wherever a secret is involved, including the encrypted session secrets travel
/// over; items are handled by D-Bus path (`secret-paths.h`), not as `SecretItem` objects, because building a
/// `SecretItem` costs five bus round trips and the path calls one. Searches and item attributes, which involve
/// no secret, are plain D-Bus messages sent in one pipelined batch (`ossb_batch_send`): `get` sends both its
/// searches at once, and the attributes of all items found are asked for before the first answer is awaited.
/// That is what keeps `list` of 100 items to a few times a single call (bench/keyring-helper.sh). libsecret's
/// service object is built only when a secret is read or something is changed, addressed to the unique bus name
/// that answered the first call, which spares GDBus its GetNameOwner round trip.
///
/// A locked collection or item is handed to the Secret Service to unlock (`unlock(_:)`): on a desktop that
/// shows the keyring's own password prompt; where no prompt can be shown the service dismisses it at once and
/// the caller reports the lock. Nothing here creates a collection.
struct SecretServiceConnection {
    /// The session bus connection.
    let bus: OpaquePointer
    /// The calls sent without waiting (`ossb_batch_new`); its first call is the `Ping` that `connected()` checks.
    let batch: UnsafeMutablePointer<OssbBatch>
    let cancellable: UnsafeMutablePointer<GCancellable>
    let timeout: Double
    /// libsecret's service object once built.
    private let services: ServiceSlot

    /// One search sent with `search(_:)`, answered by `items(found:action:whenFound:)`.
    struct Search {
        fileprivate let call: guint
        /// What it searches for, to send it again (`items(found:action:whenFound:)`).
        fileprivate let attributes: [String: String]
    }

    /// How long to wait before each repeat of a search gnome-keyring answered with UnknownMethod (microseconds).
    ///
    /// gnome-keyring answers `SearchItems` with "Method SearchItems is not implemented" when its handler gives up
    /// before answering: it found no PKCS#11 session for the caller, which it registers as the caller's first
    /// message arrives. Seen in CI with other processes storing and erasing items at the same moment; the same
    /// search a moment later succeeds. A service that really lacks `SearchItems` costs these 0.26 s once.
    static let searchRetryDelays: [useconds_t] = [10_000, 50_000, 200_000]

    /// libsecret's service object, built lean (`ossb_service_open`) on first use, with its session once a secret
    /// has been read. A class so that the value-typed connection can fill it in later.
    private final class ServiceSlot {
        var service: UnsafeMutablePointer<SecretService>?
        deinit { if let service { g_object_unref(service) } }
    }

    /// The lean service type (`ossb_lean_service_type`), registered once per process.
    static let leanServiceType = ossb_lean_service_type()

    /// The alias of the collection docker's helper stores into (`SECRET_COLLECTION_DEFAULT`).
    static let defaultCollection = "default"

    /// Connects to the session bus, asks the Secret Service for a `Ping` without waiting for it, then runs `body`.
    /// - Throws: the unavailable error when there is no bus (nothing on it providing the Secret Service is found
    ///   by the first call that waits, `connected()`).
    static func with<T>(
        cancellable: UnsafeMutablePointer<GCancellable>, timeout: Double,
        _ body: (SecretServiceConnection) throws -> T
    ) throws -> T {
        var error: UnsafeMutablePointer<GError>?
        guard let bus = g_bus_get_sync(G_BUS_TYPE_SESSION, cancellable, &error) else {
            throw GLibFailure.convert(error, stage: .connect, timeout: timeout)
        }
        defer { g_object_unref(UnsafeMutableRawPointer(bus)) }
        let batch = ossb_batch_new(bus, cancellable)!
        defer { ossb_batch_free(batch) }
        // The Ping starts a service the bus can activate, or fails with ServiceUnknown: "no Secret Service", said
        // in words. It goes out with the first real calls, so it costs no round trip of its own.
        ossb_batch_send(batch, "/org/freedesktop/secrets", "org.freedesktop.DBus.Peer", "Ping", nil)
        let connection = SecretServiceConnection(
            bus: bus, batch: batch, cancellable: cancellable, timeout: timeout, services: ServiceSlot())
        return try body(connection)
    }

    /// Waits for the `Ping` sent on connecting.
    /// - Returns: the unique bus name of the Secret Service that answered.
    /// - Throws: the unavailable error when nothing provides the Secret Service on the bus.
    @discardableResult
    func connected() throws -> String? {
        let ping = ossb_batch_wait(batch, 0)!
        if let error = ossb_call_take_error(ping) {
            throw GLibFailure.convert(error, stage: .connect, timeout: timeout)
        }
        return ping.pointee.sender.map { String(cString: $0) }
    }

    /// libsecret's service object, built on first use for the Secret Service that answered the `Ping`.
    func service() throws -> UnsafeMutablePointer<SecretService> {
        if let service = services.service { return service }
        let owner = try connected()
        var error: UnsafeMutablePointer<GError>?
        guard let service = ossb_service_open(Self.leanServiceType, owner, cancellable, &error) else {
            throw GLibFailure.convert(error, stage: .connect, timeout: timeout)
        }
        services.service = service
        return service
    }

    /// Sends a search for the docker credential items matching `attributes` and docker's schema (`xdg:schema` =
    /// io.docker.Credentials, as docker's helper searches) without waiting for its answer.
    func search(_ attributes: [String: String]) -> Search {
        let table = Self.table(attributes)
        defer { g_hash_table_unref(table) }
        return Search(call: ossb_batch_search(batch, table, ossb_docker_schema().pointee.name), attributes: attributes)
    }

    /// The items a search found, locked ones included and marked, with their attributes.
    /// - Parameters:
    ///   - search: what `search(_:)` returned.
    ///   - action: the operation, for messages.
    ///   - found: called once the search has found something, before the attributes are read (`get` starts
    ///     the session there, so that its key exchange overlaps that read and a miss costs none).
    func items(found search: Search, action: String, whenFound found: () throws -> Void = {}) throws -> [KeyringItem] {
        try connected()
        var answer = ossb_batch_wait(batch, search.call)!
        var repeats = 0
        while let error = ossb_call_take_error(answer) {
            guard repeats < Self.searchRetryDelays.count, GLibFailure.consumeUnknownMethod(error) else {
                throw GLibFailure.convert(error, stage: .operation(action), timeout: timeout)
            }
            usleep(Self.searchRetryDelays[repeats])
            repeats += 1
            answer = ossb_batch_wait(batch, self.search(search.attributes).call)!
        }
        var unlockedCount: guint = 0
        let array = ossb_search_paths(answer, &unlockedCount)
        let paths = Self.strings(array)
        g_strfreev(array)
        if !paths.isEmpty { try found() }
        var items: [KeyringItem] = []
        try readProperty("Attributes", of: paths, action: action) { index, answer in
            guard let attributes = ossb_property_attributes(answer) else { return }
            defer { g_hash_table_unref(attributes) }
            let locked = index >= Int(unlockedCount)
            if let item = KeyringItem(path: paths[index], attributes: attributes, modified: 0, locked: locked) {
                items.append(item)
            }
        }
        // The modification time only decides between several items for one server (`KeyringItem.newest`), so it
        // is read for those alone, usually none.
        let servers = Dictionary(grouping: items.indices, by: { items[$0].server })
        let shared = servers.values.filter { $0.count > 1 }.flatMap { $0 }
        try readProperty("Modified", of: shared.map { items[$0].path }, action: action) { index, answer in
            items[shared[index]].modified = UInt64(ossb_property_uint64(answer))
        }
        return items
    }

    /// Reads one property of every item in `paths` in one pipelined batch and hands each answer to `body` with
    /// its index; items deleted since the search are skipped (an item that vanished before its `Modified` was
    /// read keeps 0, the oldest).
    private func readProperty(
        _ property: String, of paths: [String], action: String, _ body: (Int, UnsafeMutablePointer<OssbCall>) -> Void
    ) throws {
        let calls = paths.map { ossb_batch_get_property(batch, $0, property) }
        // The service answers in order: once the last answer is in, so are the others (one wake-up for all).
        if let last = calls.last { ossb_batch_wait(batch, last) }
        for (index, call) in calls.enumerated() {
            let answer = ossb_batch_wait(batch, call)!
            if let error = ossb_call_take_error(answer) {
                if GLibFailure.consumeVanishedObject(error) { continue }
                throw GLibFailure.convert(error, stage: .operation(action), timeout: timeout)
            }
            body(index, answer)
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
        guard let value = secret_service_get_secret_for_dbus_path_sync(try service(), path, cancellable, &error) else {
            if error == nil || GLibFailure.consumeVanishedObject(error) { return nil }
            throw GLibFailure.convert(error, stage: .operation(action), timeout: timeout)
        }
        // libsecret keeps decrypted secrets in memory it wipes when the value is freed.
        defer { secret_value_unref(UnsafeMutableRawPointer(value)) }
        var length = 0
        guard let bytes = secret_value_get(value, &length) else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self)
    }

    /// Starts opening the encrypted session on another thread (see `ossb_session_start`), with a service object
    /// of its own, so that the key exchange overlaps the calls that follow.
    /// - Returns: a handle for `awaitSession(_:action:)` or `abandonSession(_:)`; one of them must be called.
    func startSession() throws -> UnsafeMutablePointer<GThread> {
        let owner = try connected()
        return ossb_session_start(Self.leanServiceType, owner, cancellable)
    }

    /// Waits for the session `startSession` began; its service object is the one used from then on.
    func awaitSession(_ thread: UnsafeMutablePointer<GThread>, action: String) throws {
        var error: UnsafeMutablePointer<GError>?
        guard let service = ossb_session_join(thread, &error) else {
            throw GLibFailure.convert(error, stage: .operation(action), timeout: timeout)
        }
        if let previous = services.service { g_object_unref(previous) }
        services.service = service
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
        let service = try service()
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
        let path = secret_service_read_alias_dbus_path_sync(try service(), Self.defaultCollection, cancellable, &error)
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
            try service(), ossb_docker_schema(), table, Self.defaultCollection, label, value, cancellable, &error)
        if stored == 0 || error != nil {
            throw GLibFailure.convert(error, stage: .operation("store"), timeout: timeout)
        }
    }

    /// Deletes one item; one deleted meanwhile by another program counts as deleted.
    func delete(_ item: KeyringItem, action: String) throws {
        var error: UnsafeMutablePointer<GError>?
        if secret_service_delete_item_dbus_path_sync(try service(), item.path, cancellable, &error) == 0 || error != nil
        {
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

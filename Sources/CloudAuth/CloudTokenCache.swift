import AuthCore
import Glibc

/// Cloud registry credentials kept on disk until shortly before they expire, so that a `get` inside their lifetime
/// makes no network request.
///
/// Files are 0600 in a 0700 directory (`OSSB_TOKEN_CACHE_DIR`, else `~/.ossb/tokens/`), one per registry, holding
/// one entry per identity: a token minted by one identity (an access key, a role, a service account, with the
/// endpoint that minted it) is served only to that same identity. A credential without an expiry, or one that
/// expires within `margin`, is handed out but not kept. No hashing is involved: a cached `get` touches no
/// cryptographic library at all (initialising OpenSSL costs more than the whole `get`).
///
/// No entry is served longer than `maximumLifetime` after it was minted (whatever expiry a token endpoint
/// claimed), nor when the clock reads earlier than its minting: a clock set back would otherwise stretch every
/// cached token's life by as much.
///
/// Processes caching for the same registry at once all keep their entries: each read-modify-write of a registry's
/// file holds an exclusive lock on `<file>.lock` beside it. Readers take no lock, since the file is replaced
/// atomically. A writer that cannot take the lock within `lockTimeout` (another process stuck while holding it)
/// keeps nothing; its credential is still handed out, and the next `get` mints again.
package struct CloudTokenCache: Sendable {
    /// Seconds before its expiry at which a cached credential is no longer served (`CloudRegistry.tokenMargin`).
    package static let margin = CloudRegistry.tokenMargin

    /// The longest a credential is kept, whatever its expiry says: 12 hours, the life of an ECR token, the
    /// longest-lived of the clouds' registry credentials.
    package static let maximumLifetime: Int64 = 12 * 3600

    /// Seconds a writer waits for another process's write of the same file: a write takes milliseconds, so only a
    /// stuck process holds the lock this long, and a `get` must not wait on it for longer.
    package static let lockTimeout = 2.0

    /// The directory.
    package let directory: String

    /// The cache of an environment, or `nil` when neither `OSSB_TOKEN_CACHE_DIR` nor `HOME` is set.
    package init?(environment: Environment) {
        if let configured = environment["OSSB_TOKEN_CACHE_DIR"], !configured.isEmpty {
            directory = configured
        } else if let home = OSSBPaths(environment: environment).home {
            directory = "\(home)/.ossb/tokens"
        } else {
            return nil
        }
    }

    /// A cache in a given directory.
    package init(directory: String) {
        self.directory = directory
    }

    /// The file of a registry: its host with every character other than a-z, 0-9, `.` and `-` written as `_XX`.
    package func path(host: String) -> String {
        var name = ""
        for byte in host.lowercased().utf8 {
            if (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2E || byte == 0x2D {
                name.append(Character(Unicode.Scalar(byte)))
            } else {
                name += "_" + String(byte, radix: 16, uppercase: true)
            }
        }
        return "\(directory)/\(name).json"
    }

    /// The cached credential for `host` obtained by `identity`, when it is still good at `now` plus the margin.
    /// A file that is unsafe (another user's, group-writable), unreadable or malformed is a miss.
    package func get(host: String, identity: String, now: Int64) -> CloudCredential? {
        guard let file = read(path(host: host)), file.host == host else { return nil }
        return file.entries.first { $0.credential.identity == identity && $0.isGood(at: now) }?.credential
    }

    /// A cached credential and when it was minted.
    struct Entry {
        var credential: CloudCredential
        var mintedAt: Int64

        /// Whether it may be served at `now`: minted no later than `now` (a clock set back since is a miss), and
        /// good beyond the margin but within `maximumLifetime` of `now`.
        func isGood(at now: Int64) -> Bool {
            guard let expiry = credential.expiresAt, mintedAt <= now else { return false }
            return expiry - CloudTokenCache.margin > now && expiry - now <= CloudTokenCache.maximumLifetime
        }
    }

    /// Keeps a credential, unless it has no expiry or is (nearly) expired already; the registry's entries for other
    /// identities stay, expired ones are dropped.
    /// - Parameter now: the clock, read again once the lock is held: an entry another process wrote while this one
    ///   waited may have been minted in a later second than an earlier reading, and would look minted in the
    ///   future (as after a clock set back) and be dropped.
    /// - Returns: whether it was kept.
    /// - Throws: `PrivateFileError` or `SystemError` when the directory or file is unsafe or cannot be written;
    ///   `LockTimeout` when another process held the file's lock for longer than `lockTimeout`.
    @discardableResult
    package func put(host: String, _ credential: CloudCredential, now clock: @autoclosure () -> Int64) throws -> Bool {
        guard let expiry = credential.expiresAt, expiry - Self.margin > clock() else { return false }
        try FileIO.makeDirectories(directory, mode: 0o700)
        let target = try PrivateFile.checked(path(host: host))
        // Entries other processes add between our read and our rename would otherwise be lost.
        let lock = try FileLock(path: PrivateFile.checked(target + ".lock"), timeout: Self.lockTimeout)
        defer { withExtendedLifetime(lock) {} }
        let now = clock()
        guard expiry - Self.margin > now else { return false }
        var kept = credential
        kept.expiresAt = min(expiry, now + Self.maximumLifetime)
        var entries = (read(target).flatMap { $0.host == host ? $0.entries : nil } ?? [])
            .filter { $0.credential.identity != credential.identity && $0.isGood(at: now) }
        entries.append(Entry(credential: kept, mintedAt: now))
        let values: [JSONValue] = entries.map { entry in
            .object(
                JSONObject([
                    .init(name: "identity", value: .string(entry.credential.identity)),
                    .init(name: "username", value: .string(entry.credential.username)),
                    .init(name: "secret", value: .string(entry.credential.secret)),
                    .init(name: "expiresAt", value: .number(String(entry.credential.expiresAt ?? 0))),
                    .init(name: "mintedAt", value: .number(String(entry.mintedAt))),
                ]))
        }
        let object = JSONObject([
            .init(name: "host", value: .string(host)), .init(name: "entries", value: .array(values)),
        ])
        var bytes = Array(JSONWriter.compact(.object(object)).utf8)
        defer { SecretMemory.wipe(&bytes) }
        try AtomicFile.write(bytes, to: target, mode: 0o600)
        return true
    }

    /// Every registry with a credential still good at `now` (for any identity), with its user name; never a secret.
    package func list(now: Int64) -> [String: String] {
        guard let dir = opendir(directory) else { return [:] }
        defer { closedir(dir) }
        var result: [String: String] = [:]
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasSuffix(".json"), let file = read("\(directory)/\(name)"),
                let good = file.entries.first(where: { $0.isGood(at: now) })
            else { continue }
            result[file.host] = good.credential.username
        }
        return result
    }

    /// A cache file's registry and entries; entries without `mintedAt` (or otherwise malformed) are left out.
    func read(_ path: String) -> (host: String, entries: [Entry])? {
        guard let checked = try? PrivateFile.checked(path),
            var bytes = try? FileIO.readIfExists(checked, limit: 1 << 20)
        else {
            return nil
        }
        defer { SecretMemory.wipe(&bytes) }
        guard let object = (try? JSONParser.parse(bytes))?.objectValue, let host = object["host"]?.stringValue,
            let list = object["entries"]?.arrayValue
        else { return nil }
        let entries: [Entry] = list.compactMap { value in
            guard let entry = value.objectValue, let identity = entry["identity"]?.stringValue,
                let username = entry["username"]?.stringValue, let secret = entry["secret"]?.stringValue,
                case .number(let expiry) = entry["expiresAt"], let expiresAt = Int64(expiry),
                case .number(let minted) = entry["mintedAt"], let mintedAt = Int64(minted)
            else { return nil }
            return Entry(
                credential: CloudCredential(
                    username: username, secret: secret, expiresAt: expiresAt, identity: identity),
                mintedAt: mintedAt)
        }
        return (host, entries)
    }
}

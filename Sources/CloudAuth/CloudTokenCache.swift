import AuthCore
import Glibc

/// Cloud registry credentials kept on disk until shortly before they expire, so that a `get` inside their lifetime
/// makes no network request.
///
/// Files are 0600 in a 0700 directory (`OSSB_TOKEN_CACHE_DIR`, else `~/.ossb/tokens/`), one per registry and
/// identity: the file name is the SHA-256 of both, and the file repeats them, so a token minted by one identity
/// (an access key, a role, a service account, with the endpoint that minted it) is never served to another.
/// A credential without an expiry, or one that expires within `margin`, is handed out but not kept.
package struct CloudTokenCache: Sendable {
    /// Seconds before its expiry at which a cached credential is no longer served (`CloudRegistry.tokenMargin`).
    package static let margin = CloudRegistry.tokenMargin

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

    /// The file for a registry and identity.
    package func path(host: String, identity: String) -> String {
        "\(directory)/\(CloudCrypto.hex(CloudCrypto.sha256(Array("\(host)\n\(identity)".utf8)))).json"
    }

    /// The cached credential for `host` obtained by `identity`, when it is still good at `now` plus the margin.
    /// A file that is unsafe (another user's, group-writable), unreadable or malformed is a miss.
    package func get(host: String, identity: String, now: Int64) -> CloudCredential? {
        guard let entry = read(path(host: host, identity: identity)), entry.host == host,
            entry.credential.identity == identity, let expiry = entry.credential.expiresAt, expiry - Self.margin > now
        else { return nil }
        return entry.credential
    }

    /// Keeps a credential, unless it has no expiry or is (nearly) expired already.
    /// - Returns: whether it was kept.
    /// - Throws: `PrivateFileError` or `SystemError` when the directory or file is unsafe or cannot be written.
    @discardableResult
    package func put(host: String, _ credential: CloudCredential, now: Int64) throws -> Bool {
        guard let expiry = credential.expiresAt, expiry - Self.margin > now else { return false }
        try FileIO.makeDirectories(directory, mode: 0o700)
        let target = try PrivateFile.checked(path(host: host, identity: credential.identity))
        let object = JSONObject([
            .init(name: "host", value: .string(host)), .init(name: "identity", value: .string(credential.identity)),
            .init(name: "username", value: .string(credential.username)),
            .init(name: "secret", value: .string(credential.secret)), .init(name: "expiresAt", value: .number(String(expiry))),
        ])
        var bytes = Array(JSONWriter.compact(.object(object)).utf8)
        defer { SecretMemory.wipe(&bytes) }
        try AtomicFile.write(bytes, to: target, mode: 0o600)
        return true
    }

    /// Every registry with a credential still good at `now`, with its user name (never a secret).
    package func list(now: Int64) -> [String: String] {
        guard let dir = opendir(directory) else { return [:] }
        defer { closedir(dir) }
        var result: [String: String] = [:]
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasSuffix(".json"), let cached = read("\(directory)/\(name)"),
                let expiry = cached.credential.expiresAt, expiry - Self.margin > now
            else { continue }
            result[cached.host] = cached.credential.username
        }
        return result
    }

    func read(_ path: String) -> (host: String, credential: CloudCredential)? {
        guard let checked = try? PrivateFile.checked(path), var bytes = try? FileIO.readIfExists(checked, limit: 1 << 20) else {
            return nil
        }
        defer { SecretMemory.wipe(&bytes) }
        guard let object = (try? JSONParser.parse(bytes))?.objectValue, let host = object["host"]?.stringValue,
            let identity = object["identity"]?.stringValue, let username = object["username"]?.stringValue,
            let secret = object["secret"]?.stringValue, case .number(let expiry) = object["expiresAt"], let expiresAt = Int64(expiry)
        else { return nil }
        return (host, CloudCredential(username: username, secret: secret, expiresAt: expiresAt, identity: identity))
    }
}

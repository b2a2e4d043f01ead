/// The file backend: a writable store in `~/.ossb/credentials.json` (`OSSB_CREDENTIALS_FILE`), in docker's
/// config.json format (`{"auths": {server: {"auth": base64}}}`), separate from registry.json.
///
/// Guarantees:
/// - the file is created with mode 0600, its directory with 0700; a file, lock or symlink another user could
///   have planted or changed is refused (`PrivateFile`), and a dangling symlink is written through, staying a
///   link;
/// - every write is atomic (temporary file, `fsync`, `rename`) and made under an exclusive lock on
///   `<file>.lock`, so two processes storing at once both land and a crash never leaves half a file;
/// - members this store does not know (top-level keys, other fields of an entry) are preserved;
/// - a file that is not valid JSON, or not the expected shape, is reported and never overwritten.
public struct FileStore: CredentialStore {
    /// The file.
    public let path: String
    /// How long `store` and `erase` wait for another writer's lock.
    public var lockTimeout: Double = 10

    public var name: String { "file" }

    /// Largest credentials file read; a real one is a few KiB.
    static let sizeLimit = 16 << 20

    /// A store over an explicit file.
    public init(path: String) {
        self.path = path
    }

    /// The store the environment names: `OSSB_CREDENTIALS_FILE`, else `~/.ossb/credentials.json`.
    /// - Throws: `CredentialStoreError` when neither that variable nor `HOME` is set.
    public init(environment: Environment) throws {
        guard let path = OSSBPaths(environment: environment).credentialsFile else {
            throw CredentialStoreError(
                .unavailable, "cannot locate the credentials file: set HOME or OSSB_CREDENTIALS_FILE")
        }
        self.init(path: path)
    }

    public func get(_ serverURL: String) throws -> HelperCredential? {
        guard let document = try load() else { return nil }
        let auths = try authsObject(of: document)
        // Exact key first; then each key that `ServerAddress.matches` (other spellings, docker's legacy
        // `https://host/v1/` keys), skipping empty `{}` entries that `docker login` may have left beside a real one.
        var candidates: [String] = auths.names.contains(serverURL) ? [serverURL] : []
        candidates += auths.names.filter { $0 != serverURL && ServerAddress.matches($0, serverURL) }
        for key in candidates {
            let credentials = try DockerAuthEntry.decode(auths[key]!, key: key, file: path)
            if let credential = HelperCredential(serverURL: serverURL, credentials: credentials) {
                return credential
            }
        }
        return nil
    }

    /// Stores a credential. A Username with a `:` is refused: the `auth` field holds `user:password` and
    /// splits at the first colon, so it could not be given back. An empty Secret is kept and returned empty,
    /// as Go's helpers do.
    public func store(_ credential: HelperCredential) throws {
        try credential.validateForStore()
        if !credential.isIdentityToken, credential.username.contains(":") {
            throw CredentialStoreError(
                .invalidRequest,
                "the file credential store cannot keep a user name containing \":\" (docker's \"auth\" field splits at the first colon); use the keyring store for this account"
            )
        }
        try update { auths in
            let existing = auths[credential.serverURL]?.objectValue ?? JSONObject()
            auths[credential.serverURL] = .object(DockerAuthEntry.encode(credential.credentials, over: existing))
            return true
        }
    }

    /// Removes every entry `get` would serve for `serverURL` (all keys that `ServerAddress.matches`), and no other.
    public func erase(_ serverURL: String) throws {
        try update { auths in
            let keys = ServerAddress.matchingKeys(for: serverURL, in: auths.names)
            guard !keys.isEmpty else { return false }
            for key in keys { auths[key] = nil }
            return true
        }
    }

    public func list() throws -> [String: String] {
        guard let document = try load() else { return [:] }
        let auths = try authsObject(of: document)
        var result: [String: String] = [:]
        for member in auths.members {
            let credentials = try DockerAuthEntry.decode(member.value, key: member.name, file: path)
            if let credential = HelperCredential(serverURL: member.name, credentials: credentials) {
                result[member.name] = credential.username
            }
        }
        return result
    }

    // MARK: - File handling

    /// The path to read and write once `PrivateFile`'s rules hold: the final target of any symlink.
    /// - Throws: `CredentialStoreError` (`.unavailable`) naming what is wrong.
    func checkedPath() throws -> String {
        do {
            return try PrivateFile.checked(path)
        } catch {
            throw CredentialStoreError(.unavailable, "\(error)")
        }
    }

    /// Reads and parses the file; `nil` when it does not exist.
    func load() throws -> JSONValue? {
        let bytes: [UInt8]?
        let target = try checkedPath()
        do {
            bytes = try FileIO.readIfExists(target, limit: Self.sizeLimit)
        } catch let error as SystemError {
            throw CredentialStoreError(.unavailable, "cannot read the credentials file: \(error)")
        } catch {
            throw CredentialStoreError(.unavailable, "cannot read the credentials file: \(error)")
        }
        guard var bytes else { return nil }
        defer { SecretMemory.wipe(&bytes) }
        if JSONParser.isBlank(bytes) {
            // An empty file (touched, or truncated by another tool) holds no credentials; treat it as new.
            return nil
        }
        do {
            return .object(try JSONParser.parseObject(bytes))
        } catch {
            throw CredentialStoreError(
                .corrupt, "\(path) \(error.problem); fix or move the file (it was left untouched)")
        }
    }

    private func authsObject(of document: JSONValue) throws -> JSONObject {
        guard let auths = document.objectValue?["auths"] else { return JSONObject() }
        if case .null = auths { return JSONObject() }
        guard case .object(let object) = auths else {
            throw CredentialStoreError(
                .corrupt,
                "\(path): \"auths\" is \(auths.kindDescription), expected an object; fix or move the file (it was left untouched)"
            )
        }
        return object
    }

    /// Runs a read-modify-write of the `auths` object under the lock; writes only when `change` returns true.
    private func update(_ change: (inout JSONObject) throws -> Bool) throws {
        let target = try checkedPath()
        let directory = FileIO.directoryName(of: target)
        do {
            try FileIO.makeDirectories(directory)
        } catch {
            throw CredentialStoreError(.unavailable, "cannot create the credentials directory: \(error)")
        }
        let lock: FileLock
        do {
            lock = try FileLock(path: PrivateFile.checked(target + ".lock"), timeout: lockTimeout)
        } catch let error as PrivateFileError {
            throw CredentialStoreError(.unavailable, "\(error)")
        } catch {
            throw CredentialStoreError(.unavailable, "cannot lock the credentials file: \(error)")
        }
        defer { withExtendedLifetime(lock) {} }

        var document = try load()?.objectValue ?? JSONObject()
        var auths = try authsObject(of: .object(document))
        guard try change(&auths) else { return }
        document["auths"] = .object(auths)
        let text = JSONWriter.indented(.object(document)) + "\n"
        do {
            try AtomicFile.write(Array(text.utf8), to: target, mode: 0o600)
        } catch {
            throw CredentialStoreError(.unavailable, "cannot write the credentials file: \(error)")
        }
    }
}

extension KubernetesSecretStore {
    /// registry.json's `default_registry` (`OSSB_CONFIG`, else `~/.ossb/registry.json`), the registry an
    /// Opaque secret without a `registry` key serves.
    ///
    /// A stop-gap that reads this one key until registry.json's full reader (`RegistryConfig`) takes its place:
    /// the helper's `main.swift` is the only caller.
    /// - Parameter environment: where `OSSB_CONFIG` and `HOME` are read.
    /// - Returns: the value; `nil` when the file, the key or `HOME` is missing, or the value is empty.
    /// - Throws: `CredentialStoreError` when the file exists but cannot be read, is not JSON, or the key is not
    ///   a string.
    public static func defaultRegistry(environment: Environment) throws -> String? {
        guard let path = OSSBPaths(environment: environment).registryConfig else { return nil }
        let bytes: [UInt8]
        do {
            guard let read = try FileIO.readIfExists(path, limit: 16 << 20) else { return nil }
            bytes = read
        } catch {
            throw CredentialStoreError(.unavailable, "cannot read the registry configuration: \(error)")
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw CredentialStoreError(.corrupt, "\(path) is not valid JSON (\(error)); fix it or point OSSB_CONFIG elsewhere")
        }
        guard case .object(let top) = document else {
            throw CredentialStoreError(.corrupt, "\(path) holds \(document.kindDescription), expected a JSON object")
        }
        switch top["default_registry"] {
        case nil, .null?:
            return nil
        case .string(let value)?:
            let trimmed = value.trimmingWhitespace()
            return trimmed.isEmpty ? nil : trimmed
        case let other?:
            throw CredentialStoreError(.corrupt, "\(path): \"default_registry\" is \(other.kindDescription), expected a string such as \"registry.example.com\"")
        }
    }
}

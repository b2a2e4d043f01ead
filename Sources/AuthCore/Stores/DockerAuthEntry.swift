import FoundationEssentials

/// One entry of an `auths` map in docker's config.json, containers' auth.json, the file backend's store or a
/// `kubernetes.io/dockerconfigjson` secret.
///
/// Entries come in several shapes: `auth` (base64 of `user:password`), separate `username` and `password`,
/// `identitytoken`, `registrytoken`; any may be combined. An entry may be empty: `docker login` with a
/// credential helper leaves `{}` behind.
package enum DockerAuthEntry {
    /// Decodes an entry.
    /// - Parameters:
    ///   - value: the JSON value under the server key.
    ///   - key: the server key, for error messages.
    ///   - file: where the entry came from, for error messages.
    /// - Returns: the credentials (possibly empty).
    /// - Throws: `CredentialStoreError` (`.corrupt`) for an entry that is not an object, an `auth` that is not
    ///   base64 of `user:password`, or a field that is not a string. The message never includes the values.
    package static func decode(_ value: JSONValue, key: String, file: String) throws -> Credentials {
        guard case .object(let entry) = value else {
            throw CredentialStoreError(
                .corrupt, "\(file): the entry for \"\(key)\" is \(value.kindDescription), expected an object")
        }
        func field(_ name: String) throws -> String {
            guard let v = entry[name] else { return "" }
            if case .null = v { return "" }
            guard case .string(let s) = v else {
                throw CredentialStoreError(
                    .corrupt,
                    "\(file): \"\(name)\" of the entry for \"\(key)\" is \(v.kindDescription), expected a string")
            }
            return s
        }
        var credentials = Credentials(
            username: try field("username"), password: try field("password"),
            identityToken: try field("identitytoken"), registryToken: try field("registrytoken"))
        let auth = try field("auth")
        if !auth.isEmpty {
            guard let (user, password) = decodeAuth(auth) else {
                throw CredentialStoreError(
                    .corrupt, "\(file): \"auth\" of the entry for \"\(key)\" is not base64 of \"user:password\"")
            }
            // `auth` wins over separate fields, as in docker's config loader.
            credentials.username = user
            credentials.password = password
        }
        return credentials
    }

    /// Encodes credentials as docker writes them: `auth` for a username and password, `identitytoken` for a
    /// token (with the `auth` docker writes beside it omitted: it would only repeat `<token>:`).
    /// Members of `existing` that are not credential fields (`email`, anything unknown) are preserved.
    package static func encode(_ credentials: Credentials, over existing: JSONObject = JSONObject()) -> JSONObject {
        var entry = existing
        for name in ["auth", "username", "password", "identitytoken", "registrytoken"] { entry[name] = nil }
        if !credentials.identityToken.isEmpty {
            entry["identitytoken"] = .string(credentials.identityToken)
        } else if !credentials.registryToken.isEmpty {
            entry["registrytoken"] = .string(credentials.registryToken)
        } else {
            entry["auth"] = .string(
                BasicAuthorization.encoded(username: credentials.username, password: credentials.password))
        }
        return entry
    }

    /// Splits base64 `user:password` at the first colon; `nil` when it is not that. Surrounding white space
    /// and missing padding are tolerated (hand-edited files have both).
    package static func decodeAuth(_ auth: String) -> (String, String)? {
        var text = auth.trimmingWhitespace()
        while text.utf8.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text),
            let decoded = String(validating: Array(data), as: UTF8.self),
            let colon = decoded.firstIndex(of: ":")
        else { return nil }
        return (String(decoded[..<colon]), String(decoded[decoded.index(after: colon)...]))
    }
}

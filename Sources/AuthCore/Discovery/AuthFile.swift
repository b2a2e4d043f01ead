/// A parsed docker config.json or containers auth.json: `auths`, `credHelpers` and `credsStore`.
///
/// docker and containers read the same shape; both are read here so that their rules (hostname matching for
/// docker, namespaced keys for containers) are applied by the sources on top.
package struct AuthFile: Sendable {
    /// Where it came from (a path, or `DOCKER_AUTH_CONFIG`).
    package let origin: String
    /// `auths` in document order.
    package let auths: JSONObject
    /// `credHelpers`: host to helper suffix.
    package let credHelpers: [String: String]
    /// `credsStore`: the default helper suffix.
    package let credsStore: String?

    /// Reads and parses a file; `nil` when it does not exist.
    /// - Throws: `ConfigurationError` when it cannot be read or is malformed.
    package static func load(path: String) throws -> AuthFile? {
        let bytes: [UInt8]?
        do {
            bytes = try FileIO.readIfExists(path, limit: 16 << 20)
        } catch {
            throw ConfigurationError(path: path, message: "cannot be read: \(error)")
        }
        guard let bytes else { return nil }
        return try parse(bytes, origin: path)
    }

    /// Parses a document.
    /// - Throws: `ConfigurationError` naming `origin`.
    package static func parse(_ bytes: [UInt8], origin: String) throws -> AuthFile {
        if JSONParser.isBlank(bytes) {
            return AuthFile(origin: origin, auths: JSONObject(), credHelpers: [:], credsStore: nil)
        }
        let root: JSONObject
        do {
            root = try JSONParser.parseObject(bytes)
        } catch {
            throw ConfigurationError(path: origin, message: "\(error.problem); fix it or move it away")
        }
        var auths = JSONObject()
        if let value = root["auths"] {
            switch value {
            case .object(let o): auths = o
            case .null: break
            default:
                throw ConfigurationError(
                    path: origin, message: "\"auths\" is \(value.kindDescription), expected an object")
            }
        }
        var helpers: [String: String] = [:]
        if let value = root["credHelpers"] {
            switch value {
            case .object(let o):
                for member in o.members {
                    guard case .string(let helper) = member.value else {
                        throw ConfigurationError(
                            path: origin,
                            message:
                                "\"credHelpers.\(member.name)\" is \(member.value.kindDescription), expected a string")
                    }
                    helpers[member.name] = helper
                }
            case .null: break
            default:
                throw ConfigurationError(
                    path: origin, message: "\"credHelpers\" is \(value.kindDescription), expected an object")
            }
        }
        var store: String?
        if let value = root["credsStore"] {
            switch value {
            case .string(let s): store = s.isEmpty ? nil : s
            case .null: break
            default:
                throw ConfigurationError(
                    path: origin, message: "\"credsStore\" is \(value.kindDescription), expected a string")
            }
        }
        return AuthFile(origin: origin, auths: auths, credHelpers: helpers, credsStore: store)
    }

    /// Decodes the `auths` entry under `key`.
    /// - Throws: `CredentialStoreError` (`.corrupt`) naming the file and key.
    package func entry(_ key: String) throws -> Credentials {
        try DockerAuthEntry.decode(auths[key] ?? .object(JSONObject()), key: key, file: origin)
    }

    /// The `credHelpers` helper for a host, compared by host as docker compares.
    package func credHelper(forHost host: String) -> String? {
        if let exact = credHelpers[host] { return exact }
        return credHelpers.keys.sorted().first { ServerAddress.host(of: $0) == host }.flatMap { credHelpers[$0] }
    }

    /// Every `auths` key with usable credentials, with its user name.
    package func listAuths() throws -> [String: String] {
        var result: [String: String] = [:]
        for key in auths.names {
            let credentials = try entry(key)
            if credentials.isEmpty { continue }
            result[key] =
                !credentials.identityToken.isEmpty
                ? HelperCredential.identityTokenUsername
                : credentials.username.isEmpty ? "<registry token>" : credentials.username
        }
        return result
    }
}

/// The `CredentialProviderResponse` a kubelet credential provider plugin writes to stdout.
///
/// kubelet decodes it strictly: `apiVersion` must equal the request's, `kind` must be
/// `CredentialProviderResponse`, `cacheKeyType` is required, `cacheDuration` is a Go duration string (left out,
/// kubelet uses its `defaultCacheDuration`; `0s` disables caching), `auth` maps a match pattern (here a
/// registry host) to `{"username", "password"}`.
public struct CredentialProviderResponse: Sendable, Equatable {
    /// The request's `apiVersion`.
    public var apiVersion: String
    /// `Registry`: one answer serves every image of the registry (the lookup is by registry, not by image).
    public var cacheKeyType = "Registry"
    /// How long kubelet may reuse the answer; `nil` leaves the field out.
    public var cacheDuration: GoDuration?
    /// Registry host to credentials; only username and password are sent.
    public var auth: [String: Credentials]

    /// Creates a response.
    public init(apiVersion: String, cacheDuration: GoDuration?, auth: [String: Credentials]) {
        self.apiVersion = apiVersion
        self.cacheDuration = cacheDuration
        self.auth = auth
    }

    /// The JSON document, compact, `auth` keys sorted (as Go encodes a map).
    public var json: String {
        var object = JSONObject()
        object["kind"] = .string("CredentialProviderResponse")
        object["apiVersion"] = .string(apiVersion)
        object["cacheKeyType"] = .string(cacheKeyType)
        if let cacheDuration { object["cacheDuration"] = .string(cacheDuration.description) }
        var entries = JSONObject()
        for host in auth.keys.sorted() {
            var entry = JSONObject()
            entry["username"] = .string(auth[host]!.username)
            entry["password"] = .string(auth[host]!.password)
            entries[host] = .object(entry)
        }
        object["auth"] = .object(entries)
        return JSONWriter.compact(.object(object))
    }
}

import FoundationEssentials

/// HTTP Basic credentials (RFC 7617).
package enum BasicAuthorization {
    /// The `Authorization` value: `Basic base64(username:password)`.
    package static func header(username: String, password: String) -> String {
        "Basic " + encoded(username: username, password: password)
    }

    /// `base64(username:password)`: the Basic credential, which docker's config.json also keeps as `auth`.
    package static func encoded(username: String, password: String) -> String {
        Data("\(username):\(password)".utf8).base64EncodedString()
    }
}

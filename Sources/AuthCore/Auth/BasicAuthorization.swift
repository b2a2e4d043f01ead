import FoundationEssentials

/// HTTP Basic credentials (RFC 7617).
public enum BasicAuthorization {
    /// The `Authorization` value: `Basic base64(username:password)`.
    public static func header(username: String, password: String) -> String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }
}

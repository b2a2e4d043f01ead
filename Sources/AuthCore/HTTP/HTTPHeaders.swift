/// HTTP header fields in the order they were added or received, looked up case-insensitively.
///
/// `description` redacts credential-bearing fields (`Authorization`, `Proxy-Authorization`, `Cookie`), so a
/// request can be logged without leaking a secret.
public struct HTTPHeaders: Sendable, Equatable, Sequence, CustomStringConvertible {
    /// One field.
    public struct Field: Sendable, Equatable {
        /// The name as written.
        public var name: String
        /// The value, without surrounding white space.
        public var value: String
        /// Creates a field.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The fields in order.
    public private(set) var fields: [Field]

    /// Names whose values are secrets, lower-cased.
    package static let credentialFields: Set<String> = [
        "authorization", "proxy-authorization", "cookie",
        "x-amz-sso_bearer_token",  // the IAM Identity Center access token AWS's SSO portal takes instead
        "x-amz-security-token",  // an AWS session token, sent beside a SigV4 signature
        "x-aws-ec2-metadata-token",  // an IMDSv2 session token
        "x-identity-header",  // the secret of Azure App Service's managed identity endpoint
    ]

    /// Creates headers from name/value pairs, in order.
    public init(_ pairs: [(String, String)] = []) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// The first value of `name`, or `nil`. Setting replaces every field of that name (or removes them all
    /// when `nil`).
    public subscript(name: String) -> String? {
        get {
            let folded = name.lowercased()
            return fields.first { $0.name.lowercased() == folded }?.value
        }
        set {
            remove(name)
            if let newValue { add(name, newValue) }
        }
    }

    /// Every value of `name`, in order (a response may carry `WWW-Authenticate` several times).
    public func values(for name: String) -> [String] {
        let folded = name.lowercased()
        return fields.filter { $0.name.lowercased() == folded }.map(\.value)
    }

    /// Appends a field, keeping any existing ones of the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Removes every field of `name`.
    public mutating func remove(_ name: String) {
        let folded = name.lowercased()
        fields.removeAll { $0.name.lowercased() == folded }
    }

    /// Removes every field that carries a credential (see `credentialFields`).
    package mutating func removeCredentials() {
        fields.removeAll { Self.credentialFields.contains($0.name.lowercased()) }
    }

    /// Whether `value` can travel as a header value: no CR, LF or NUL, which would end the field early and let
    /// the rest of the value (a token a token server chose, say) be read as further header lines.
    package static func isSendable(_ value: String) -> Bool {
        !value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }
    }

    /// Refuses headers that cannot be sent as they are: the transport calls this before every request.
    /// - Throws: `HTTPClientError` (other) naming the field (never its value, which may be a credential).
    package func checkSendable() throws(HTTPClientError) {
        if let bad = fields.first(where: { !Self.isSendable($0.name) || !Self.isSendable($0.value) }) {
            throw HTTPClientError(
                .other,
                "refusing to send the \(bad.name) header: its value holds a line break or NUL, which would inject further header lines"
            )
        }
    }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    public var description: String {
        fields.map {
            Self.credentialFields.contains($0.name.lowercased()) ? "\($0.name): <redacted>" : "\($0.name): \($0.value)"
        }
        .joined(separator: ", ")
    }
}

/// The triple that travels through the docker credential-helper protocol: `ServerURL`, `Username`, `Secret`.
///
/// An identity token travels as Username `<token>` with the token as Secret; a registry token has no form in
/// the protocol, so helpers never return one. A credential known to expire (a cloud helper's token) carries a
/// fourth member in a `get` answer, `ExpiresAt` (RFC 3339, UTC), but only for a client that asks for it with
/// `expiryRequestVariable`: this project's own clients do (the kubelet plugin lets kubelet reuse an answer no
/// longer than the token lives); docker, skopeo and podman never do, and get the three members byte for byte.
public struct HelperCredential: Sendable, Equatable, CustomStringConvertible {
    /// The environment variable with which a client asks a helper for `ExpiresAt` in its `get` answer (value
    /// `1`). `HelperClient` sets it for every helper it runs.
    package static let expiryRequestVariable = "OSSB_HELPER_EXPIRY"

    /// `variables` with `expiryRequestVariable` set: the environment for a helper whose answer we read.
    package static func askingForExpiry(_ variables: [String: String]) -> [String: String] {
        variables.merging([expiryRequestVariable: "1"]) { $1 }
    }

    /// The Username docker-credential-helpers use to mark an identity token.
    public static let identityTokenUsername = "<token>"

    /// The server address, as the client gave it.
    public var serverURL: String
    /// The user name, or `<token>` for an identity token.
    public var username: String
    /// The password or token.
    public var secret: String
    /// When the secret expires, in seconds since the epoch, when the store knows (`ExpiresAt`).
    public var expiresAt: Int64?

    /// Creates a protocol credential.
    public init(serverURL: String, username: String, secret: String, expiresAt: Int64? = nil) {
        self.serverURL = serverURL
        self.username = username
        self.secret = secret
        self.expiresAt = expiresAt
    }

    /// A helper's `get` answer: `Username` and `Secret` (any case, as Go decodes them), and `ExpiresAt` when it is
    /// RFC 3339; `nil` when Username or Secret is missing or not a string.
    package init?(serverURL: String, answer object: JSONObject) {
        guard case .string(let username)? = object.valueIgnoringCase("Username"),
            case .string(let secret)? = object.valueIgnoringCase("Secret")
        else { return nil }
        let expiry = object.valueIgnoringCase("ExpiresAt")?.stringValue.flatMap(RFC3339.parse)
        self.init(
            serverURL: serverURL, username: username, secret: secret,
            expiresAt: expiry.map { Int64($0.timeIntervalSince1970) })
    }

    /// Converts model credentials to the protocol's form; `nil` for a registry token or empty credentials,
    /// which the protocol cannot carry.
    public init?(serverURL: String, credentials: Credentials) {
        if !credentials.identityToken.isEmpty {
            self.init(
                serverURL: serverURL, username: Self.identityTokenUsername, secret: credentials.identityToken,
                expiresAt: credentials.expiresAt)
        } else if !credentials.username.isEmpty, credentials.registryToken.isEmpty {
            self.init(
                serverURL: serverURL, username: credentials.username, secret: credentials.password,
                expiresAt: credentials.expiresAt)
        } else {
            return nil
        }
    }

    /// Whether this carries an identity token rather than a password.
    public var isIdentityToken: Bool { username == Self.identityTokenUsername }

    /// The model form: an identity token when Username is `<token>`, else username and password.
    public var credentials: Credentials {
        isIdentityToken
            ? Credentials(identityToken: secret, expiresAt: expiresAt)
            : Credentials(username: username, password: secret, expiresAt: expiresAt)
    }

    public var description: String { "HelperCredential(\(serverURL), username: \(username))" }

    /// The protocol's JSON object, `{"ServerURL":..,"Username":..,"Secret":..}`, in Go's field order and
    /// escaping: what a helper prints for `get` and what a client writes to a helper's `store`. It carries the
    /// secret, so it goes only to the other end of the protocol's pipe.
    /// - Parameter withExpiry: add `"ExpiresAt"` when the expiry is known (a `get` answer to a client that asked).
    func protocolJSON(withExpiry: Bool = false) -> String {
        let expiry = withExpiry ? expiresAt.map { ",\"ExpiresAt\":\"\(RFC3339.format($0))\"" } ?? "" : ""
        return
            "{\"ServerURL\":\(JSONWriter.quoted(serverURL)),\"Username\":\(JSONWriter.quoted(username)),\"Secret\":\(JSONWriter.quoted(secret))\(expiry)}"
    }

    /// Checks that a store can give this credential back exactly: no NUL or other control character in
    /// ServerURL or Username (they would be cut, or break the files and terminals they are shown in).
    /// - Throws: `CredentialStoreError` (`.invalidRequest`) naming the field.
    public func validateForStore() throws {
        for (field, value) in [("ServerURL", serverURL), ("Username", username)] {
            if !TerminalText.isInert(value) {
                throw CredentialStoreError(
                    .invalidRequest,
                    "\(field) contains a control character (such as NUL or a newline); credentials were not stored")
            }
        }
    }
}

import AuthCore
import FoundationEssentials

/// An Application Default Credentials file, by its `type`: a service account key, the refresh token
/// `gcloud auth application-default login` writes, or a workload identity federation configuration.
struct GoogleCredentialFile {
    /// Google's OAuth2 token endpoint, for files that do not name one.
    static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    /// The file's path, for messages.
    let path: String
    /// Its members.
    let object: JSONObject

    /// Reads and parses `path`; `nil` when it does not exist.
    /// - Throws: `CloudAuthError` for an unreadable file or one that is not a JSON object.
    static func read(_ path: String, http: CloudHTTP) throws(CloudAuthError) -> GoogleCredentialFile? {
        let bytes: [UInt8]?
        do {
            bytes = try FileIO.readIfExists(path, limit: 1 << 20)
        } catch {
            throw CloudAuthError(
                cloud: http.cloud,
                "Google Cloud: cannot read the credentials file \(path) (\(error)); fix its permissions or point GOOGLE_APPLICATION_CREDENTIALS elsewhere"
            )
        }
        guard let bytes else { return nil }
        // The parser's message may quote the text around a syntax error, which is a key file's secret.
        guard let object = (try? JSONParser.parse(bytes))?.objectValue else {
            throw CloudAuthError(
                cloud: http.cloud,
                "Google Cloud: the credentials file \(path) is not a JSON object; download the key again or run `gcloud auth application-default login`"
            )
        }
        return GoogleCredentialFile(path: path, object: object)
    }

    /// A member that must be a non-empty string.
    func string(_ name: String, _ http: CloudHTTP) throws(CloudAuthError) -> String {
        guard let value = object[name]?.stringValue, !value.isEmpty else {
            throw CloudAuthError(
                cloud: http.cloud,
                "Google Cloud: the credentials file \(path) has no \"\(name)\"; download the file again, it is incomplete"
            )
        }
        return value
    }

    /// Mints an access token as the file's type says.
    func credential(_ http: CloudHTTP) async throws(CloudAuthError) -> CloudCredential {
        let type = object["type"]?.stringValue ?? ""
        switch type {
        case "service_account": return try await GoogleServiceAccount(file: self, http: http).credential()
        case "authorized_user": return try await authorizedUser(http)
        case "external_account": return try await GoogleExternalAccount(file: self, http: http).credential()
        default:
            throw CloudAuthError(
                cloud: http.cloud,
                "Google Cloud: the credentials file \(path) has type \"\(TerminalText.sanitized(type.prefix(40)))\"; supported are service_account, authorized_user and external_account (for impersonated_service_account files, use workload identity federation or a service account key)"
            )
        }
    }

    /// `authorized_user`: the refresh token grant with the file's OAuth client.
    private func authorizedUser(_ http: CloudHTTP) async throws(CloudAuthError) -> CloudCredential {
        let clientID = try string("client_id", http)
        let clientSecret = try string("client_secret", http)
        let refreshToken = try string("refresh_token", http)
        let tokenURI = try http.secureURL(
            object["token_uri"]?.stringValue ?? Self.defaultTokenURI, "the token_uri of \(path)")
        http.context.explain(
            "Google Cloud: \(path) is an authorized_user file (client \(clientID)); refresh token grant at \(tokenURI.absoluteString)"
        )
        let advice =
            "the user's login may have expired or been revoked: run `gcloud auth application-default login` again"
        let response = try await http.postForm(
            tokenURI,
            [
                ("grant_type", "refresh_token"), ("client_id", clientID), ("client_secret", clientSecret),
                ("refresh_token", refreshToken),
            ],
            to: "Google's token endpoint", advice: advice)
        let answer = try http.object(
            response, from: "Google's token endpoint (refresh token grant for \(path))", advice: advice)
        let token = try http.accessToken(answer, from: "Google's token endpoint")
        return CloudCredential(
            username: GoogleProvider.username, secret: token.token, expiresAt: token.expiresAt, identity: clientID)
    }
}

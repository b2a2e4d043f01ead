import AuthCore
import FoundationEssentials

/// A service account key file: an RS256 JWT assertion (`iss` the account's e-mail, `aud` the key's `token_uri`,
/// the cloud-platform scope, valid for an hour) exchanged at `token_uri` with the JWT bearer grant (RFC 7523).
struct GoogleServiceAccount {
    let file: GoogleCredentialFile
    let http: CloudHTTP

    /// The longest assertion lifetime Google's token endpoint accepts.
    static let assertionLifetime: Int64 = 3600

    func credential() async throws(CloudAuthError) -> CloudCredential {
        let email = try file.string("client_email", http)
        let pem = try file.string("private_key", http)
        let tokenURIText = file.object["token_uri"]?.stringValue ?? GoogleCredentialFile.defaultTokenURI
        let tokenURI = try http.secureURL(tokenURIText, "the token_uri of \(file.path)")
        let key: RSASigningKey
        do {
            key = try RSASigningKey(pem: pem)
        } catch {
            throw CloudAuthError(
                cloud: http.cloud,
                "Google Cloud: the private_key of \(file.path) cannot be used: \(error); create a new key for \(email) (`gcloud iam service-accounts keys create`)"
            )
        }
        let now = http.context.now()
        let claims = JSONObject([
            .init(name: "iss", value: .string(email)),
            .init(name: "scope", value: .string(GoogleProvider.scope)),
            .init(name: "aud", value: .string(tokenURIText)),
            .init(name: "iat", value: .number(String(now))),
            .init(name: "exp", value: .number(String(now + Self.assertionLifetime))),
        ])
        let assertion: String
        do {
            assertion = try JWT.signRS256(claims: claims, keyID: file.object["private_key_id"]?.stringValue, key: key)
        } catch {
            throw CloudAuthError(
                cloud: http.cloud,
                "Google Cloud: cannot sign with the private_key of \(file.path): \(error); create a new key for \(email)"
            )
        }
        http.context.explain(
            "Google Cloud: \(file.path) is a service_account key for \(email); JWT bearer grant at \(tokenURI.absoluteString)"
        )
        let advice =
            "the key of \(email) may have been deleted or disabled, or the account may not exist: create a new key (`gcloud iam service-accounts keys create`) and point GOOGLE_APPLICATION_CREDENTIALS at it"
        let response = try await http.postForm(
            tokenURI, [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion)],
            to: "Google's token endpoint", advice: advice)
        let answer = try http.object(
            response, from: "Google's token endpoint (service account \(email))", advice: advice)
        let token = try http.accessToken(answer, from: "Google's token endpoint")
        return CloudCredential(
            username: GoogleProvider.username, secret: token.token, expiresAt: token.expiresAt, identity: email)
    }
}

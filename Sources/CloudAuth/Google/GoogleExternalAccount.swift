import AuthCore
import FoundationEssentials

/// A workload identity federation configuration (`external_account`): a subject token from another identity
/// provider (a Kubernetes service account token, a GitHub Actions OIDC token), read from a file or a URL, is
/// exchanged at Google's STS (RFC 8693) for a federated access token; when the file names
/// `service_account_impersonation_url`, that token then buys the service account's own access token from the
/// IAM Credentials API.
struct GoogleExternalAccount {
    let file: GoogleCredentialFile
    let http: CloudHTTP

    static let defaultTokenURL = "https://sts.googleapis.com/v1/token"

    func credential() async throws(CloudAuthError) -> CloudCredential {
        let audience = try file.string("audience", http)
        let subjectTokenType = try file.string("subject_token_type", http)
        let tokenURL = try http.secureURL(
            file.object["token_url"]?.stringValue ?? Self.defaultTokenURL, "the token_url of \(file.path)")
        let subjectToken = try await self.subjectToken(audience: audience, tokenType: subjectTokenType)
        http.context.explain(
            "Google Cloud: \(file.path) is an external_account for \(audience); STS token exchange at \(tokenURL.absoluteString)"
        )
        let advice =
            "check that the workload identity pool provider \(audience) exists and trusts the subject token's issuer and audience"
        let response = try await http.postForm(
            tokenURL,
            [
                ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"), ("audience", audience),
                ("scope", GoogleProvider.scope),
                ("requested_token_type", "urn:ietf:params:oauth:token-type:access_token"),
                ("subject_token", subjectToken), ("subject_token_type", subjectTokenType),
            ],
            to: "Google's STS", advice: advice)
        let answer = try http.object(response, from: "Google's STS (token exchange for \(audience))", advice: advice)
        let federated = try http.accessToken(answer, from: "Google's STS")
        guard let impersonation = file.object["service_account_impersonation_url"]?.stringValue else {
            return CloudCredential(
                username: GoogleProvider.username, secret: federated.token, expiresAt: federated.expiresAt,
                identity: audience)
        }
        return try await impersonate(impersonation, with: federated.token)
    }

    /// The service account's access token from `generateAccessToken`, authorised by the federated token.
    private func impersonate(_ urlText: String, with federatedToken: String) async throws(CloudAuthError)
        -> CloudCredential
    {
        let url = try http.secureURL(urlText, "the service_account_impersonation_url of \(file.path)")
        let account = Self.account(in: url) ?? urlText
        http.context.explain("Google Cloud: impersonating \(account) at \(url.absoluteString)")
        var headers = HTTPHeaders()
        headers["Authorization"] = "Bearer \(federatedToken)"
        headers["Content-Type"] = "application/json"
        let body = JSONWriter.compact(
            .object(
                JSONObject([
                    .init(name: "scope", value: .array([.string(GoogleProvider.scope)])),
                    .init(name: "lifetime", value: .string("3600s")),
                ])))
        let advice = "grant the pool's principal roles/iam.workloadIdentityUser on \(account)"
        let response = try await http.send(
            HTTPRequest(method: .post, url: url, headers: headers, body: .bytes(Array(body.utf8))),
            to: "the IAM Credentials API", advice: advice)
        let answer = try http.object(
            response, from: "the IAM Credentials API (impersonating \(account))", advice: advice)
        let token = try http.accessToken(answer, from: "the IAM Credentials API", tokenField: "accessToken")
        let expiresAt = answer["expireTime"]?.stringValue.flatMap(RFC3339.parse).map { Int64($0.timeIntervalSince1970) }
        return CloudCredential(
            username: GoogleProvider.username, secret: token.token, expiresAt: expiresAt, identity: account)
    }

    /// The service account named by an impersonation URL:
    /// `.../serviceAccounts/NAME@PROJECT.iam.gserviceaccount.com:generateAccessToken`.
    static func account(in url: URL) -> String? {
        url.path.split(separator: "/").last.map { String($0.split(separator: ":").first ?? $0) }
    }

    /// The email of the service account the file impersonates, which an executable source is told.
    private var impersonatedEmail: String? {
        file.object["service_account_impersonation_url"]?.stringValue.flatMap { URL(string: $0) }.flatMap {
            Self.account(in: $0)
        }
    }

    /// The subject token from `credential_source`: a file or a URL, as text or as a JSON member, or a command's
    /// response.
    private func subjectToken(audience: String, tokenType: String) async throws(CloudAuthError) -> String {
        guard let source = file.object["credential_source"]?.objectValue else {
            throw CloudAuthError(
                cloud: http.cloud,
                "Google Cloud: the external_account file \(file.path) has no credential_source; generate it again with `gcloud iam workload-identity-pools create-cred-config`"
            )
        }
        if source["environment_id"] != nil {
            let audience = try file.string("audience", http)
            return try await GoogleAWSSource(file: file, source: source, audience: audience, http: http).subjectToken()
        }
        if let executable = source["executable"]?.objectValue {
            return try GoogleExecutableSource(executable, path: file.path, http: http).subjectToken(
                audience: audience, tokenType: tokenType, impersonatedEmail: impersonatedEmail)
        }
        let format = source["format"]?.objectValue
        let bytes: [UInt8]
        let origin: String
        if let path = source["file"]?.stringValue {
            origin = path
            http.context.explain("Google Cloud: subject token from the file \(path)")
            do {
                guard let read = try FileIO.readIfExists(path, limit: 1 << 20) else {
                    throw CloudAuthError(
                        cloud: http.cloud,
                        "Google Cloud: the subject token file \(path) named by \(file.path) does not exist; check the projected token volume or the path in the configuration"
                    )
                }
                bytes = read
            } catch let error as CloudAuthError {
                throw error
            } catch {
                throw CloudAuthError(
                    cloud: http.cloud,
                    "Google Cloud: cannot read the subject token file \(path) (\(error)); check its permissions")
            }
        } else if let urlText = source["url"]?.stringValue, let url = URL(string: urlText) {
            origin = urlText
            http.context.explain("Google Cloud: subject token from \(HTTPRequest(url: url).description)")
            var headers = HTTPHeaders()
            for member in source["headers"]?.objectValue?.members ?? [] {
                if let value = member.value.stringValue { headers[member.name] = value }
            }
            let advice = "check credential_source.url in \(file.path)"
            let response = try await http.send(
                HTTPRequest(url: url, headers: headers), to: "the subject token URL", advice: advice)
            guard response.isSuccess else {
                throw CloudAuthError(
                    cloud: http.cloud, "Google Cloud: the subject token URL answered \(response.status); \(advice)")
            }
            bytes = response.body
        } else {
            throw CloudAuthError(
                cloud: http.cloud,
                "Google Cloud: the credential_source of \(file.path) names no subject token source (a file, a url, an executable or environment_id aws1); generate it again with `gcloud iam workload-identity-pools create-cred-config`"
            )
        }
        let token: String?
        if format?["type"]?.stringValue == "json" {
            let field = format?["subject_token_field_name"]?.stringValue ?? ""
            token = (try? JSONParser.parse(bytes))?.objectValue?[field]?.stringValue
        } else {
            token = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
        }
        guard let token, !token.isEmpty else {
            throw CloudAuthError(
                cloud: http.cloud,
                "Google Cloud: the subject token from \(origin) is empty or not in the format \(file.path) names; check credential_source.format"
            )
        }
        return token
    }
}

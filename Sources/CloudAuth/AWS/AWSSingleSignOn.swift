import AuthCore
import FoundationEssentials

/// A profile that signs in through IAM Identity Center (formerly AWS SSO): `sso_account_id` and `sso_role_name`,
/// with `sso_session` naming an `[sso-session name]` section that holds `sso_start_url` and `sso_region`, or, in
/// the older form, those two in the profile itself. `aws sso login` leaves an access token in
/// `~/.aws/sso/cache/<SHA-1 of the session name, or of the start URL>.json`; the portal's `GetRoleCredentials`
/// trades it for the role's temporary credentials. An `[sso-session]` login is renewed with its refresh token as
/// the SDKs renew it; when that is impossible and the token has expired, the user is told to log in again.
package struct AWSSingleSignOn: Sendable {
    /// The profile, for messages and the login advice.
    package let profile: String
    /// The start URL of the organisation's portal (`https://my-org.awsapps.com/start`).
    package let startURL: String
    /// The region of IAM Identity Center.
    package let region: String
    /// The account whose role is assumed.
    package let accountID: String
    /// The permission set's role name.
    package let roleName: String
    /// The `[sso-session]` the profile names; `nil` for the older form.
    package let session: String?

    /// The profile's IAM Identity Center settings, or `nil` when it names neither an account nor a role for it.
    /// - Throws: `CloudAuthError` for a configuration that is incomplete or contradicts its `[sso-session]`.
    package init?(profile: String, settings: [String: String], shared: AWSSharedConfig) throws {
        guard settings["sso_account_id"] != nil || settings["sso_role_name"] != nil else { return nil }
        var merged = settings
        let session = settings["sso_session"]
        if let session {
            guard let section = shared.ssoSessions[session] else {
                throw CloudAuthError(
                    cloud: "AWS",
                    "profile \(profile) names sso_session \(session), but there is no [sso-session \(session)] in \(shared.files.first ?? "~/.aws/config"); add it (`aws configure sso`) or correct the name"
                )
            }
            for (key, value) in section {
                if let own = settings[key], own != value {
                    throw CloudAuthError(
                        cloud: "AWS",
                        "profile \(profile) sets \(key) to \(own) but its [sso-session \(session)] to \(value); remove it from the profile"
                    )
                }
                merged[key] = value
            }
        }
        let required = ["sso_start_url", "sso_region", "sso_account_id", "sso_role_name"]
        let missing = required.filter { (merged[$0] ?? "").isEmpty }
        guard missing.isEmpty else {
            throw CloudAuthError(
                cloud: "AWS",
                "profile \(profile) is set up for IAM Identity Center but lacks \(missing.joined(separator: ", ")); run `aws configure sso --profile \(profile)` or add them"
            )
        }
        self.profile = profile
        self.startURL = merged["sso_start_url"]!
        self.region = merged["sso_region"]!
        self.accountID = merged["sso_account_id"]!
        self.roleName = merged["sso_role_name"]!
        self.session = session
    }

    /// How the source is named in explanations and messages.
    var what: String {
        "SSO, role \(roleName) in account \(accountID), login \(session.map { "sso-session \($0)" } ?? startURL)"
    }

    /// The advice for every problem with the login.
    var loginAdvice: String { "run `aws sso login --profile \(profile)`" }

    /// The token cache file `aws sso login` wrote for this login.
    func cacheFile(home: String) -> String {
        "\(home)/.aws/sso/cache/\(CloudCrypto.hex(CloudCrypto.sha1(Array((session ?? startURL).utf8)))).json"
    }

    /// The cached access token. A login of an `[sso-session]` holds a refresh token as well: when the access token
    /// expires within 15 minutes, it is renewed at IAM Identity Center's OIDC service and the cache file rewritten,
    /// as the AWS CLI and SDKs do, so a login lasts as long as the session the organisation allows.
    ///
    /// The renewal holds an exclusive lock on `<cache file>.lock` beside the cache file, and reads the file again
    /// once it has the lock: the service rotates the refresh token with every renewal, so a second process renewing
    /// the same login at the same moment would present a token already retired and be told to log in again. With
    /// the lock, it waits and then uses the access token the first one wrote.
    /// - Throws: `CloudAuthError` ending with the login advice when there is none, it is unreadable or expired.
    func accessToken(_ context: CloudContext) async throws -> String {
        guard let home = OSSBPaths(environment: context.environment).home else {
            throw CloudAuthError(
                cloud: "AWS", "HOME is not set, so the IAM Identity Center login cannot be found; set HOME")
        }
        let path = cacheFile(home: home)
        var login = try cachedLogin(path)
        if session != nil, login.expiresAt - context.now() < Self.refreshWindow {
            let lock = refreshLock(path, context)
            defer { withExtendedLifetime(lock) {} }
            // Another process may have renewed the login while this one waited for the lock.
            login = try cachedLogin(path)
            if login.expiresAt - context.now() < Self.refreshWindow,
                let renewed = await refresh(login.object, path: path, context)
            {
                return renewed
            }
        }
        guard login.expiresAt > context.now() else {
            throw CloudAuthError(
                cloud: "AWS",
                "the IAM Identity Center login of profile \(profile) expired at \(TerminalText.sanitized(login.expiresText.prefix(40))): \(loginAdvice)"
            )
        }
        return login.token
    }

    /// What `aws sso login` left in the cache file: the whole object, its access token and when that expires.
    /// - Throws: `CloudAuthError` ending with the login advice when there is none or it is unreadable or unusable.
    func cachedLogin(_ path: String) throws -> (
        object: JSONObject, token: String, expiresAt: Int64, expiresText: String
    ) {
        let bytes: [UInt8]?
        do {
            bytes = try FileIO.readIfExists(path, limit: 1 << 20)
        } catch {
            throw CloudAuthError(
                cloud: "AWS",
                "the IAM Identity Center login of profile \(profile) is unreadable: \(loginAdvice) (\(path): \(error))")
        }
        guard let bytes else {
            throw CloudAuthError(
                cloud: "AWS", "profile \(profile) is not logged in to IAM Identity Center: \(loginAdvice) (no \(path))")
        }
        guard let object = (try? JSONParser.parse(bytes))?.objectValue,
            let token = object["accessToken"]?.stringValue, !token.isEmpty,
            let expiresText = object["expiresAt"]?.stringValue, let expiresAt = Self.time(expiresText)
        else {
            throw CloudAuthError(
                cloud: "AWS",
                "the IAM Identity Center login of profile \(profile) is unusable: \(loginAdvice) (\(path) holds no access token with an expiry)"
            )
        }
        return (object, token, expiresAt, expiresText)
    }

    /// Seconds a renewal waits for another process's renewal of the same login: longer than that renewal's request
    /// may take (`refreshTimeout`), so only a process stuck while holding the lock makes it run out.
    static let refreshLockTimeout = refreshTimeout + 5

    /// The seconds the OIDC service has to answer a renewal.
    static let refreshTimeout = 30.0

    /// The lock that serialises renewals of the login in `path`; `nil` when it cannot be had (an unsafe or
    /// read-only directory, or another process stuck holding it), and the renewal then goes ahead unlocked, as it
    /// did before there was a lock: at worst the service refuses a retired refresh token and the user logs in.
    func refreshLock(_ path: String, _ context: CloudContext) -> FileLock? {
        do {
            return try FileLock(path: PrivateFile.checked(path + ".lock"), timeout: Self.refreshLockTimeout)
        } catch {
            context.explain("AWS: renewing the IAM Identity Center login without its lock: \(error)")
            return nil
        }
    }

    /// Seconds before its expiry from which an access token is renewed, as in the AWS SDKs.
    static let refreshWindow: Int64 = 15 * 60

    /// Renews the access token with the login's refresh token (SSO OIDC `CreateToken`) and rewrites the cache file
    /// with it; `nil` when the login holds no usable registration or the service refuses (the caller then uses the
    /// token it has, or asks for a new login). Nothing here is shown but the outcome: the refresh token and the
    /// client secret are secrets.
    func refresh(_ cached: JSONObject, path: String, _ context: CloudContext) async -> String? {
        guard let refreshToken = cached["refreshToken"]?.stringValue, let clientID = cached["clientId"]?.stringValue,
            let clientSecret = cached["clientSecret"]?.stringValue,
            let registrationEnd = cached["registrationExpiresAt"]?.stringValue.flatMap(Self.time),
            registrationEnd > context.now()
        else {
            context.explain("AWS: the IAM Identity Center login cannot be renewed (no refresh token or registration)")
            return nil
        }
        let endpoint = AWSEndpoints(environment: context.environment).ssoOIDC(region: region)
        let http = CloudHTTP(cloud: "AWS", context: context)
        let body = JSONObject([
            .init(name: "grantType", value: .string("refresh_token")),
            .init(name: "clientId", value: .string(clientID)),
            .init(name: "clientSecret", value: .string(clientSecret)),
            .init(name: "refreshToken", value: .string(refreshToken)),
        ])
        let answer: JSONObject
        do {
            let url = try http.secureURL(
                "\(endpoint)/token", "the IAM Identity Center OIDC service (AWS_ENDPOINT_URL_SSO_OIDC)")
            var request = HTTPRequest(
                method: .post, url: url, headers: HTTPHeaders([("Content-Type", "application/json")]),
                body: .bytes(Array(JSONWriter.compact(.object(body)).utf8)), maximumBufferedBody: 1 << 20,
                timeout: Self.refreshTimeout)
            request.bodyCarriesCredentials = true
            context.explain("AWS: renewing the IAM Identity Center login at \(endpoint)")
            let response = try await http.send(
                request, to: "the IAM Identity Center OIDC service", advice: "check the network")
            answer = try http.object(
                response, from: "the IAM Identity Center OIDC service at \(endpoint)", advice: loginAdvice)
        } catch {
            context.explain("AWS: renewing the login failed: \(error)")
            return nil
        }
        guard let token = answer["accessToken"]?.stringValue, !token.isEmpty,
            let lifetime = CloudHTTP.integer(answer["expiresIn"])
        else {
            context.explain("AWS: the IAM Identity Center OIDC service answered without accessToken and expiresIn")
            return nil
        }
        var updated = cached
        updated["accessToken"] = .string(token)
        updated["expiresAt"] = .string(RFC3339.format(context.now() + lifetime))
        if let rotated = answer["refreshToken"]?.stringValue { updated["refreshToken"] = .string(rotated) }
        do {
            try AtomicFile.write(Array(JSONWriter.compact(.object(updated)).utf8), to: path, mode: 0o600)
            context.explain("AWS: IAM Identity Center login renewed for \(lifetime) s (\(path))")
        } catch {
            // The renewed token still serves this request; the next one renews again.
            context.explain("AWS: IAM Identity Center login renewed, but \(path) could not be rewritten: \(error)")
        }
        return token
    }

    /// Seconds since the epoch of the cache's `expiresAt`: RFC 3339, or the `…UTC` form older AWS CLIs wrote.
    static func time(_ text: String) -> Int64? {
        let normalised = text.hasSuffix("UTC") ? String(text.dropLast(3)) + "Z" : text
        return RFC3339.parse(normalised).map { Int64($0.timeIntervalSince1970) }
    }

    /// The role's temporary credentials from the portal's `GetRoleCredentials`.
    /// - Throws: `CloudAuthError` naming the portal's answer and what to do.
    package func fetch(_ context: CloudContext) async throws -> AWSCredentials {
        let token = try await accessToken(context)
        let endpoint = AWSEndpoints(environment: context.environment).sso(region: region)
        let http = CloudHTTP(cloud: "AWS", context: context)
        let query = FormEncoding.encode([("role_name", roleName), ("account_id", accountID)])
        let url = try http.secureURL(
            "\(endpoint)/federation/credentials?\(query)", "the IAM Identity Center portal (AWS_ENDPOINT_URL_SSO)")
        let request = HTTPRequest(
            url: url, headers: HTTPHeaders([("x-amz-sso_bearer_token", token), ("Accept", "application/json")]),
            maximumBufferedBody: 1 << 20, timeout: 30)
        context.explain(
            "AWS: IAM Identity Center GetRoleCredentials at \(endpoint) (role \(roleName) in account \(accountID))")
        let response = try await http.send(
            request, to: "the IAM Identity Center portal", advice: "check the network or AWS_ENDPOINT_URL_SSO")
        guard response.isSuccess else {
            let answer =
                "the IAM Identity Center portal at \(endpoint) answered \(response.status)\(Self.reason(response))"
            switch response.status {
            case 401:
                throw CloudAuthError(
                    cloud: "AWS",
                    "the IAM Identity Center login of profile \(profile) is no longer valid: \(loginAdvice) (\(answer))"
                )
            case 403:
                throw CloudAuthError(
                    cloud: "AWS",
                    "\(answer); the login may not use role \(roleName) in account \(accountID): correct sso_role_name or sso_account_id, or ask for the permission set"
                )
            default:
                throw CloudAuthError(cloud: "AWS", "\(answer); try again later")
            }
        }
        guard let role = (try? JSONParser.parse(response.body))?.objectValue?["roleCredentials"]?.objectValue,
            let key = role["accessKeyId"]?.stringValue, !key.isEmpty,
            let secret = role["secretAccessKey"]?.stringValue, !secret.isEmpty
        else {
            throw CloudAuthError(
                cloud: "AWS",
                "the IAM Identity Center portal at \(endpoint) answered without roleCredentials; is AWS_ENDPOINT_URL_SSO the portal?"
            )
        }
        // The portal gives the expiry in milliseconds since the epoch.
        let expiresAt = CloudHTTP.integer(role["expiration"]).map { $0 / 1000 }
        return AWSCredentials(
            accessKeyID: key, secretAccessKey: secret, sessionToken: role["sessionToken"]?.stringValue,
            expiresAt: expiresAt)
    }

    /// ` (UnauthorizedException: Session token not found or invalid)` from the portal's error answer (the type in
    /// the `x-amzn-ErrorType` header, the text in the body's `message`), made safe for a terminal; "" when none.
    static func reason(_ response: HTTPResponse) -> String {
        let type = response.headers["x-amzn-ErrorType"]?.split(separator: ":").first.map(String.init)
        let message = (try? JSONParser.parse(response.body))?.objectValue.flatMap {
            ($0["message"] ?? $0["Message"])?.stringValue
        }
        let parts = [type, message].compactMap { $0 }.map { TerminalText.sanitized(String($0.prefix(300))) }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: ": ") + ")"
    }
}

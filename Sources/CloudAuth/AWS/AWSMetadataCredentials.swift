import AuthCore
import FoundationEssentials

/// The two local credential services of AWS compute: container credentials (ECS task roles, EKS Pod Identity:
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` or `_RELATIVE_URI`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN` or
/// `_TOKEN_FILE`) and the EC2 instance metadata service, version 2 (a session token from `PUT /latest/api/token`,
/// then the role's credentials).
package struct AWSMetadataCredentials: Sendable {
    let context: CloudContext

    /// The address ECS serves relative URIs on.
    static let ecsHost = "http://169.254.170.2"
    /// Plain-http hosts a full URI may name besides loopback: the ECS and EKS Pod Identity agents.
    static let agentHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "[fd00:ec2::23]"]

    /// Creates a reader.
    package init(context: CloudContext) {
        self.context = context
    }

    /// The container credentials URL configured in the environment, or `nil`.
    /// - Throws: `CloudAuthError` for a full URI that would send the authorization token in clear to a remote host.
    package static func containerURL(_ environment: Environment) throws -> String? {
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            return ecsHost + relative
        }
        guard let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty else { return nil }
        guard let url = URL(string: full), let host = url.host, let scheme = url.scheme?.lowercased() else {
            throw CloudAuthError(
                cloud: "AWS", "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL; set it to the agent's address")
        }
        let loopback = host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
        guard scheme == "https" || (scheme == "http" && (loopback || agentHosts.contains(host))) else {
            throw CloudAuthError(
                cloud: "AWS",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI names \(host) over \(scheme); only https, loopback or the ECS/EKS agent addresses may be used"
            )
        }
        return full
    }

    /// The container authorization token: `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`'s content (re-read every time:
    /// the agent rotates it), else `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    package static func authorizationToken(_ environment: Environment) throws -> String? {
        guard let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !file.isEmpty else {
            return environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        }
        return try MountedTokenFile.read(
            file, cloud: "AWS", unreadable: { "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(file): \($0)" },
            missing:
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names \(file), which does not exist or is empty; is the pod identity agent's token mounted?"
        )
    }

    /// Credentials from the container credentials endpoint.
    package func container(url: String) async throws -> AWSCredentials {
        let authorization = try Self.authorizationToken(context.environment)
        var headers = HTTPHeaders()
        if let authorization, !authorization.isEmpty { headers["Authorization"] = authorization }
        let body = try await fetch(url, headers: headers, what: "container credentials")
        return try Self.credentials(fromJSON: body, source: "container credentials at \(url)")
    }

    /// The instance metadata endpoint: `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else the link-local address.
    package static func instanceEndpoint(_ environment: Environment) -> String {
        let configured = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        return configured.hasSuffix("/") ? String(configured.dropLast()) : configured
    }

    /// Credentials of the instance's role through IMDSv2.
    package func instance(endpoint: String) async throws -> AWSCredentials {
        guard let tokenURL = URL(string: "\(endpoint)/latest/api/token") else {
            throw CloudAuthError(cloud: "AWS", "AWS_EC2_METADATA_SERVICE_ENDPOINT \(endpoint) is not a URL")
        }
        let token = try await sessionToken(at: tokenURL, lifetime: 21600)
        return try await roleCredentials(
            at: "\(endpoint)/latest/meta-data/iam/security-credentials/", sessionToken: token)
    }

    /// An IMDSv2 session token, from a `PUT` to `url` (`/latest/api/token`).
    /// - Parameter lifetime: the token's lifetime in seconds (at most 21600).
    package func sessionToken(at url: URL, lifetime: Int) async throws -> String {
        let tokenRequest = HTTPRequest(
            method: .put, url: url, headers: HTTPHeaders([("X-aws-ec2-metadata-token-ttl-seconds", "\(lifetime)")]),
            maximumBufferedBody: 64 << 10, timeout: 2)
        let tokenResponse = try await send(tokenRequest, what: "instance metadata token")
        guard tokenResponse.isSuccess else {
            throw CloudAuthError(
                cloud: "AWS",
                "instance metadata at \(url.absoluteString) answered \(tokenResponse.status) to the IMDSv2 token request"
            )
        }
        return tokenResponse.text.trimmingWhitespace()
    }

    /// The instance's role, the first line at `rolesURL` (`.../iam/security-credentials/`), then its credentials
    /// at `rolesURL` + the role's name.
    /// - Parameter sessionToken: the IMDSv2 session token, sent with both requests; `nil` for IMDSv1.
    package func roleCredentials(at rolesURL: String, sessionToken: String?) async throws -> AWSCredentials {
        let headers = HTTPHeaders(sessionToken.map { [("X-aws-ec2-metadata-token", $0)] } ?? [])
        let base = rolesURL.hasSuffix("/") ? rolesURL : rolesURL + "/"
        let roles = try await fetch(base, headers: headers, what: "instance role")
        guard
            let role = String(decoding: roles, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init),
            !role.isEmpty, !role.contains("/")
        else {
            throw CloudAuthError(
                cloud: "AWS", "the instance metadata at \(base) names no IAM role; attach an instance profile")
        }
        context.explain("AWS: instance role \(role)")
        let body = try await fetch(base + role, headers: headers, what: "instance role credentials")
        return try Self.credentials(fromJSON: body, source: "instance metadata at \(base)")
    }

    func send(_ request: HTTPRequest, what: String) async throws -> HTTPResponse {
        do {
            return try await context.http.send(request)
        } catch {
            throw CloudAuthError(cloud: "AWS", "\(what): no answer from \(request.url.absoluteString): \(error)")
        }
    }

    func fetch(_ address: String, headers: HTTPHeaders, what: String) async throws -> [UInt8] {
        guard let url = URL(string: address) else {
            throw CloudAuthError(cloud: "AWS", "\(what): \(address) is not a URL")
        }
        let response = try await send(
            HTTPRequest(url: url, headers: headers, maximumBufferedBody: 1 << 20, timeout: 5), what: what)
        guard response.isSuccess else {
            throw CloudAuthError(cloud: "AWS", "\(what) at \(address) answered \(response.status)")
        }
        return response.body
    }

    /// `{"AccessKeyId","SecretAccessKey","Token","Expiration"}`, the shape both services answer in.
    static func credentials(fromJSON body: [UInt8], source: String) throws -> AWSCredentials {
        guard let object = (try? JSONParser.parse(body))?.objectValue, let key = object["AccessKeyId"]?.stringValue,
            let secret = object["SecretAccessKey"]?.stringValue, !key.isEmpty, !secret.isEmpty
        else {
            throw CloudAuthError(cloud: "AWS", "\(source) answered without AccessKeyId and SecretAccessKey")
        }
        let expiry = object["Expiration"]?.stringValue.flatMap { RFC3339.parse($0) }.map {
            Int64($0.timeIntervalSince1970)
        }
        return AWSCredentials(
            accessKeyID: key, secretAccessKey: secret, sessionToken: object["Token"]?.stringValue, expiresAt: expiry)
    }
}

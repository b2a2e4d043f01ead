import AuthCore
import FoundationEssentials

/// The two STS calls the credential chain makes: `AssumeRoleWithWebIdentity` (sent unsigned, as the SDKs send it:
/// the web identity token is the proof) and `AssumeRole` (signed by the source profile's credentials).
package struct AWSSecurityTokenService: Sendable {
    /// The STS endpoint (`AWSEndpoints.sts(region:)`).
    package var endpoint: String
    /// The region for the signature's scope.
    package var region: String
    let context: CloudContext

    /// Creates a client.
    package init(endpoint: String, region: String, context: CloudContext) {
        self.endpoint = endpoint
        self.region = region
        self.context = context
    }

    /// Exchanges a web identity token (EKS IRSA's projected service-account token) for role credentials.
    package func assumeRoleWithWebIdentity(roleARN: String, sessionName: String, token: String) async throws
        -> AWSCredentials
    {
        let form: [(String, String)] = [
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleARN),
            ("RoleSessionName", sessionName), ("WebIdentityToken", token),
        ]
        return try await call(form, signedBy: nil, what: "AssumeRoleWithWebIdentity for \(roleARN)")
    }

    /// Assumes a role with the credentials of a source profile.
    package func assumeRole(roleARN: String, sessionName: String, externalID: String?, with source: AWSCredentials)
        async throws -> AWSCredentials
    {
        var form: [(String, String)] = [
            ("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", roleARN), ("RoleSessionName", sessionName),
        ]
        if let externalID { form.append(("ExternalId", externalID)) }
        return try await call(form, signedBy: source, what: "AssumeRole for \(roleARN)")
    }

    func call(_ form: [(String, String)], signedBy signer: AWSCredentials?, what: String) async throws -> AWSCredentials
    {
        guard let url = URL(string: endpoint + "/") else {
            throw CloudAuthError(
                cloud: "AWS", "the STS endpoint \(endpoint) is not a URL; fix AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL")
        }
        var request = HTTPRequest(
            method: .post, url: url,
            headers: HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]),
            body: .bytes(Array(FormEncoding.encode(form).utf8)), maximumBufferedBody: 1 << 20, timeout: 30)
        request.bodyCarriesCredentials = true
        if let signer {
            SigV4Signer(credentials: signer, region: region, service: "sts").sign(&request, now: context.now())
        }
        context.explain("AWS: STS \(what) at \(endpoint)")
        let response = try await CloudHTTP(cloud: "AWS", context: context)
            .send(request, to: "STS \(what)", advice: "check the network or AWS_ENDPOINT_URL_STS")
        let body = response.text
        guard response.isSuccess else {
            throw CloudAuthError(
                cloud: "AWS",
                "STS \(what) at \(endpoint) answered \(response.status)\(Self.awsError(body)); check the role's trust policy and the credentials"
            )
        }
        guard let key = Self.element("AccessKeyId", in: body), let secret = Self.element("SecretAccessKey", in: body)
        else {
            throw CloudAuthError(
                cloud: "AWS", "STS \(what) at \(endpoint) answered without credentials; is the endpoint an STS service?"
            )
        }
        let expiry = Self.element("Expiration", in: body).flatMap { RFC3339.parse($0) }.map {
            Int64($0.timeIntervalSince1970)
        }
        return AWSCredentials(
            accessKeyID: key, secretAccessKey: secret, sessionToken: Self.element("SessionToken", in: body),
            expiresAt: expiry)
    }

    /// The text of the first `<name>…</name>` in an XML answer, entities decoded. STS answers are flat enough that
    /// a full XML parser would buy nothing.
    static func element(_ name: String, in xml: String) -> String? {
        guard let open = xml.firstRange(of: "<\(name)>"),
            let close = xml[open.upperBound...].firstRange(of: "</\(name)>")
        else { return nil }
        return String(xml[open.upperBound..<close.lowerBound])
            .replacing("&lt;", with: "<").replacing("&gt;", with: ">")
            .replacing("&quot;", with: "\"").replacing("&apos;", with: "'")
            .replacing("&amp;", with: "&")
    }

    /// `: <Code>: <Message>` from an AWS error answer (XML or JSON), made safe for a terminal; empty when none.
    static func awsError(_ body: String) -> String {
        var code = element("Code", in: body)
        var message = element("Message", in: body)
        if code == nil, let json = try? JSONParser.parse(body), let object = json.objectValue {
            code = (object["__type"] ?? object["code"])?.stringValue
            message = (object["message"] ?? object["Message"])?.stringValue
        }
        let parts = [code, message].compactMap { $0 }.map { TerminalText.sanitized(String($0.prefix(300))) }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: ": ") + ")"
    }
}

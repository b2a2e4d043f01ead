import AuthCore
import FoundationEssentials

/// The subject token of an AWS-sourced workload identity federation configuration (a `credential_source` with
/// `environment_id` `aws1`, as `gcloud iam workload-identity-pools create-cred-config --aws` writes it): an STS
/// `GetCallerIdentity` request signed with the workload's AWS credentials, which Google's STS replays to AWS to learn
/// who signed it. As Google's libraries do: the region from `AWS_REGION`, `AWS_DEFAULT_REGION` or the instance
/// metadata's availability zone; the credentials from `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and
/// `AWS_SESSION_TOKEN`), else from the instance's role; the request serialised as JSON (`url`, `method`,
/// `headers` as `key`/`value` pairs) and percent-encoded.
struct GoogleAWSSource {
    let file: GoogleCredentialFile
    let source: JSONObject
    /// The workload identity pool provider, signed into the request as `x-goog-cloud-target-resource`, so that
    /// the signed request is good for this provider only.
    let audience: String
    let http: CloudHTTP

    /// What Google's Go library uses when the configuration names no verification URL.
    static let defaultVerificationURL =
        "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15"
    /// The instance metadata service's addresses (IPv4 and IPv6): the only non-loopback hosts the metadata URLs
    /// may name, as AIP-4117 requires, since the IMDSv2 session token and the role's credentials travel in clear.
    static let metadataHosts: Set<String> = ["169.254.169.254", "fd00:ec2::254"]

    /// For the token cache: the AWS access key that would sign, when `configuration` is AWS-sourced and the
    /// environment holds a key (another key may map to another Google principal); "" otherwise, the instance role
    /// being the same identity whatever its rotating credentials.
    static func identity(configuration: [UInt8], _ environment: Environment) -> String {
        guard
            (try? JSONParser.parse(configuration))?.objectValue?["credential_source"]?.objectValue?["environment_id"]
                != nil,
            let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty,
            environment["AWS_SECRET_ACCESS_KEY"]?.isEmpty == false
        else { return "" }
        return " AWS key \(key)"
    }

    /// Whether `text` has the form of an AWS region or availability zone: ASCII letters, digits and hyphens.
    static func isRegionName(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    func subjectToken() async throws(CloudAuthError) -> String {
        let environmentID = source["environment_id"]?.stringValue ?? ""
        guard environmentID == "aws1" else {
            throw failure(
                "the credential_source of \(file.path) has environment_id \"\(TerminalText.sanitized(environmentID.prefix(40)))\"; only aws1 is supported, so generate it again with `gcloud iam workload-identity-pools create-cred-config --aws`"
            )
        }
        let environment = http.context.environment
        let regionURL = try metadataURL("region_url")
        let rolesURL = try metadataURL("url")
        let tokenURL = try metadataURL("imdsv2_session_token_url")
        let regionVariable = ["AWS_REGION", "AWS_DEFAULT_REGION"].first { environment[$0]?.isEmpty == false }
        var region = regionVariable.flatMap { environment[$0] }
        // The region goes into the verification URL's host: anything but a region name could move it elsewhere.
        if let regionVariable, let region, !Self.isRegionName(region) {
            throw failure(
                "\(regionVariable) \"\(TerminalText.sanitized(region.prefix(40)))\" is not a region name (such as us-east-1); correct it"
            )
        }
        var credentials: AWSCredentials?
        if let key = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"],
            !key.isEmpty, !secret.isEmpty
        {
            credentials = AWSCredentials(
                accessKeyID: key, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"])
        }
        let metadata = AWSMetadataCredentials(context: http.context)
        var sessionToken: String?
        if region == nil || credentials == nil, let tokenURL {
            http.context.explain("Google Cloud: AWS: IMDSv2 session token from \(tokenURL.absoluteString)")
            sessionToken = try await aws { try await metadata.sessionToken(at: tokenURL, lifetime: 300) }
        }
        if let region {
            http.context.explain("Google Cloud: AWS: region \(region) from the environment")
        } else {
            region = try await self.region(from: regionURL, sessionToken: sessionToken, metadata: metadata)
        }
        if let credentials {
            http.context.explain(
                "Google Cloud: AWS: access key \(credentials.accessKeyID) from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )
        } else {
            guard let rolesURL else {
                throw failure(
                    "no AWS credentials for \(file.path): AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are unset and its credential_source has no url; set them, or generate the file again with `gcloud iam workload-identity-pools create-cred-config --aws`"
                )
            }
            http.context.explain("Google Cloud: AWS: the instance role's credentials from \(rolesURL.absoluteString)")
            credentials = try await aws {
                try await metadata.roleCredentials(at: rolesURL.absoluteString, sessionToken: sessionToken)
            }
        }
        guard let region, let credentials else { throw failure("no AWS region or credentials") }
        return try signedRequest(credentials: credentials, region: region)
    }

    /// The region: the availability zone at `region_url` (`us-east-1a`) without its last letter.
    private func region(from url: URL?, sessionToken: String?, metadata: AWSMetadataCredentials)
        async throws(CloudAuthError) -> String
    {
        guard let url else {
            throw failure(
                "no AWS region for \(file.path): AWS_REGION and AWS_DEFAULT_REGION are unset and its credential_source has no region_url; set AWS_REGION"
            )
        }
        let headers = HTTPHeaders(sessionToken.map { [("X-aws-ec2-metadata-token", $0)] } ?? [])
        let zone = try await aws {
            try await metadata.fetch(url.absoluteString, headers: headers, what: "the availability zone")
        }
        let text = String(decoding: zone, as: UTF8.self).trimmingWhitespace()
        guard text.count > 1, Self.isRegionName(text) else {
            throw failure(
                "the instance metadata at \(url.absoluteString) answered no availability zone; set AWS_REGION")
        }
        let region = String(text.dropLast())
        http.context.explain("Google Cloud: AWS: region \(region) from the availability zone at \(url.absoluteString)")
        return region
    }

    /// The signed `POST` to the regional verification URL, serialised as Google's STS reads it.
    private func signedRequest(credentials: AWSCredentials, region: String) throws(CloudAuthError) -> String {
        let template = source["regional_cred_verification_url"]?.stringValue ?? Self.defaultVerificationURL
        let url = try http.secureURL(
            template.split(separator: "{region}", omittingEmptySubsequences: false).joined(separator: region),
            "the regional_cred_verification_url of \(file.path)")
        // The service in the credential scope is the host's first label (`sts` of sts.us-east-1.amazonaws.com).
        let service = String((url.host ?? "").split(separator: ".").first ?? "sts")
        var request = HTTPRequest(
            method: .post, url: url, headers: HTTPHeaders([("x-goog-cloud-target-resource", audience)]))
        SigV4Signer(credentials: credentials, region: region, service: service).sign(&request, now: http.context.now())
        http.context.explain(
            "Google Cloud: AWS: subject token: GetCallerIdentity at \(url.absoluteString) signed by \(credentials.accessKeyID) for \(region)"
        )
        // Names as Google's Python library writes them, sorted; Google's STS reads them without regard to case.
        let headers = request.headers.map { field in
            (field.name == "Authorization" ? field.name : field.name.lowercased(), field.value)
        }.sorted { $0.0 < $1.0 }
        let pairs: [JSONValue] = headers.map { name, value in
            .object(
                JSONObject([.init(name: "key", value: .string(name)), .init(name: "value", value: .string(value))]))
        }
        let serialized = JSONWriter.compact(
            .object(
                JSONObject([
                    .init(name: "headers", value: .array(pairs)), .init(name: "method", value: .string("POST")),
                    .init(name: "url", value: .string(url.absoluteString)),
                ])))
        return FormEncoding.escape(serialized)
    }

    /// A metadata URL of the credential source, if present: the instance metadata service, or loopback.
    private func metadataURL(_ name: String) throws(CloudAuthError) -> URL? {
        guard let text = source[name]?.stringValue, !text.isEmpty else { return nil }
        guard let url = URL(string: text), let origin = HTTPOrigin(url),
            Self.metadataHosts.contains(origin.host) || origin.isLoopback
        else {
            throw failure(
                "the credential_source \(name) of \(file.path) is \"\(TerminalText.sanitized(text.prefix(200)))\", not the instance metadata service (169.254.169.254 or fd00:ec2::254); correct it or generate the file again with `gcloud iam workload-identity-pools create-cred-config --aws`"
            )
        }
        return url
    }

    /// Runs a step of the AWS metadata client, its errors restated for Google Cloud.
    private func aws<T>(_ step: () async throws -> T) async throws(CloudAuthError) -> T {
        do {
            return try await step()
        } catch let error as CloudAuthError {
            throw failure("AWS \(error.message)")
        } catch {
            throw failure("AWS: \(error)")
        }
    }

    private func failure(_ message: String) -> CloudAuthError {
        CloudAuthError(cloud: http.cloud, "Google Cloud: \(message)")
    }
}

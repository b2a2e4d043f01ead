import AuthCore
import FoundationEssentials

/// Amazon ECR and ECR Public: a `GetAuthorizationToken` call signed with SigV4 by the credentials of the AWS
/// default chain (`AWSCredentialChain`). The token decodes to `AWS:<password>`; real ones last 12 hours.
package struct ECRProvider: CloudProvider {
    package var cloudName: String { "AWS" }

    /// Creates the provider.
    package init() {}

    package func serves(host: String) -> Bool { CloudRegistry.serving(host: host) == .ecr }

    package func identity(for host: String, in context: CloudContext) throws -> String? {
        guard let registry = ECRRegistryHost(host) else { return nil }
        let source = try AWSCredentialChain(context: context, region: registry.region).resolve()
        // The endpoint is part of who answers: a token minted by one endpoint is not served for another.
        return "\(source.identity) at \(AWSEndpoints(environment: context.environment).ecr(registry))"
    }

    package func credential(for host: String, in context: CloudContext) async throws -> CloudCredential {
        guard let registry = ECRRegistryHost(host) else {
            throw CloudAuthError(
                cloud: "AWS",
                "\(host) is not an ECR registry (<account>.dkr.ecr.<region>.amazonaws.com or public.ecr.aws)")
        }
        let source = try AWSCredentialChain(context: context, region: registry.region).resolve()
        context.explain(
            "AWS: credentials from \(source.name)"
                + (source.tried.isEmpty ? "" : "; passed over: \(source.tried.joined(separator: ", "))"))
        let credentials: AWSCredentials
        do {
            credentials = try await source.fetch()
        } catch let error as CloudAuthError {
            // What failed and what to do first: a caller may show only the start of a long line.
            let passed = source.tried.isEmpty ? "" : "; passed over \(source.tried.joined(separator: ", "))"
            throw CloudAuthError(
                cloud: "AWS", "\(error.message) (no AWS credentials for \(host) from \(source.name)\(passed))")
        }
        context.explain("AWS: access key \(credentials.accessKeyID)")
        let endpoint = AWSEndpoints(environment: context.environment).ecr(registry)
        let (username, password, tokenExpiry) = try await authorizationToken(
            registry: registry, endpoint: endpoint, credentials: credentials, context: context)
        // A token is kept no longer than the credentials that minted it (a credential process's or SSO role's
        // `Expiration`): whoever revokes or lets those lapse expects access to end with them.
        let expiresAt = [tokenExpiry, credentials.expiresAt].compactMap { $0 }.min()
        return CloudCredential(
            username: username, secret: password, expiresAt: expiresAt,
            identity: "\(source.identity) at \(endpoint)")
    }

    /// Calls `GetAuthorizationToken` and decodes its answer.
    func authorizationToken(
        registry: ECRRegistryHost, endpoint: String, credentials: AWSCredentials, context: CloudContext
    ) async throws -> (String, String, Int64?) {
        guard let url = URL(string: endpoint + "/") else {
            throw CloudAuthError(
                cloud: "AWS", "the ECR endpoint \(endpoint) is not a URL; fix AWS_ENDPOINT_URL_ECR or AWS_ENDPOINT_URL")
        }
        let target =
            registry.isPublic
            ? "SpencerFrontendService.GetAuthorizationToken"
            : "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"
        var request = HTTPRequest(
            method: .post, url: url,
            headers: HTTPHeaders([("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", target)]),
            body: .bytes(Array("{}".utf8)), maximumBufferedBody: 1 << 20, timeout: 30)
        SigV4Signer(
            credentials: credentials, region: registry.region, service: registry.isPublic ? "ecr-public" : "ecr"
        )
        .sign(&request, now: context.now())
        context.explain("AWS: GetAuthorizationToken at \(endpoint)")
        let response = try await CloudHTTP(cloud: "AWS", context: context)
            .send(request, to: "GetAuthorizationToken", advice: "check the network or AWS_ENDPOINT_URL_ECR")
        guard response.isSuccess else {
            let hint =
                response.status == 403 || response.status == 401
                ? "check that the credentials are valid and allowed ecr:GetAuthorizationToken" : "try again later"
            throw CloudAuthError(
                cloud: "AWS",
                "GetAuthorizationToken at \(endpoint) answered \(response.status)\(AWSSecurityTokenService.awsError(response.text)); \(hint)"
            )
        }
        let data: JSONObject?
        let document = (try? JSONParser.parse(response.body))?.objectValue
        if let list = document?["authorizationData"]?.arrayValue {
            data = list.first?.objectValue
        } else {
            data = document?["authorizationData"]?.objectValue  // ECR Public answers one object
        }
        guard let data, let token = data["authorizationToken"]?.stringValue,
            let decoded = Data(base64Encoded: token).map({ String(decoding: $0, as: UTF8.self) }),
            let colon = decoded.firstIndex(of: ":")
        else {
            throw CloudAuthError(
                cloud: "AWS",
                "GetAuthorizationToken at \(endpoint) answered without a usable authorizationToken; is the endpoint ECR?"
            )
        }
        // Epoch seconds with a fraction; one beyond Int64 (a hostile answer) is no expiry: not cached.
        var expiresAt: Int64? = nil
        if case .number? = data["expiresAt"] { expiresAt = CloudHTTP.integer(data["expiresAt"]) }
        return (String(decoded[..<colon]), String(decoded[decoded.index(after: colon)...]), expiresAt)
    }
}

import AuthCore

/// The AWS SDKs' default credential chain, in their order: environment, web identity, shared files, container
/// credentials, instance metadata (IMDSv2). `resolve()` picks the source without any network, so the token cache
/// can be consulted under the identity that source stands for; `AWSCredentialSource.fetch` then obtains the keys.
package struct AWSCredentialChain: Sendable {
    let context: CloudContext
    /// The region for STS calls: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's, else the registry's.
    let fallbackRegion: String

    /// Creates a chain.
    /// - Parameter region: the registry's region, used for STS when nothing else names one.
    package init(context: CloudContext, region: String) {
        self.context = context
        self.fallbackRegion = region
    }

    /// The first source in the chain's order that is configured.
    /// - Throws: `CloudAuthError` for a configuration that is present but broken (a named profile that does not
    ///   exist, a role without a source), naming what to fix.
    package func resolve() throws -> AWSCredentialSource {
        let environment = context.environment
        var tried: [String] = []

        // 1. Environment.
        if let source = environmentSource(tried: tried) { return source }
        tried.append("environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY unset)")

        // 2. Web identity (EKS IRSA).
        if let file = environment["AWS_WEB_IDENTITY_TOKEN_FILE"], !file.isEmpty {
            guard let role = environment["AWS_ROLE_ARN"], !role.isEmpty else {
                throw CloudAuthError(
                    cloud: "AWS", "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not; set the role to assume")
            }
            let session = environment["AWS_ROLE_SESSION_NAME"] ?? "ossb-\(context.now())"
            return webIdentity(
                role: role, tokenFile: file, session: session, region: stsRegion(profile: nil), tried: tried)
        }
        tried.append("web identity (AWS_WEB_IDENTITY_TOKEN_FILE unset)")

        // 3. Shared configuration and credentials files.
        let explicitProfile = environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"]
        let profileName = explicitProfile ?? "default"
        let shared = try AWSSharedConfig(environment: environment)
        if let profile = shared.profiles[profileName],
            let source = try profileSource(profileName, profile, shared, tried: tried, depth: 0)
        {
            return source
        }
        if let explicitProfile {
            throw CloudAuthError(
                cloud: "AWS",
                "AWS_PROFILE names \(explicitProfile), which \(shared.files.joined(separator: " and ")) do not define with keys, a role, SSO or credential_process; fix the profile or unset AWS_PROFILE"
            )
        }
        tried.append("shared files (no [default] credentials in \(shared.files.joined(separator: ", ")))")

        // 4. Container credentials (ECS, EKS Pod Identity).
        if let source = try containerSource(tried: tried) { return source }
        tried.append("container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI unset)")

        // 5. Instance metadata, unless disabled.
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            tried.append("instance metadata (AWS_EC2_METADATA_DISABLED is true)")
            throw Self.noCredentials(tried)
        }
        return instanceSource(tried: tried)
    }

    /// Keys from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, when both of the first are set.
    func environmentSource(tried: [String]) -> AWSCredentialSource? {
        let environment = context.environment
        guard let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty,
            let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        else { return nil }
        let credentials = AWSCredentials(
            accessKeyID: key, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"])
        return AWSCredentialSource(name: "environment", identity: "env:\(key)", tried: tried) { credentials }
    }

    /// The container credentials endpoint (ECS, EKS Pod Identity), when one is configured.
    func containerSource(tried: [String]) throws -> AWSCredentialSource? {
        guard let url = try AWSMetadataCredentials.containerURL(context.environment) else { return nil }
        let metadata = AWSMetadataCredentials(context: context)
        // On a node every pod asks the same agent address; the authorization token tells whose role it is, so its
        // hash is part of the identity (never the token itself).
        let token = try AWSMetadataCredentials.authorizationToken(context.environment) ?? ""
        let tokenHash = CloudCrypto.fingerprint(Array(token.utf8))
        return AWSCredentialSource(
            name: "container credentials (\(url))", identity: "container:\(url):\(tokenHash)", tried: tried
        ) {
            try await metadata.container(url: url)
        }
    }

    /// The instance's role through the instance metadata service (IMDSv2).
    func instanceSource(tried: [String]) -> AWSCredentialSource {
        let endpoint = AWSMetadataCredentials.instanceEndpoint(context.environment)
        let metadata = AWSMetadataCredentials(context: context)
        return AWSCredentialSource(name: "instance metadata (\(endpoint))", identity: "imds:\(endpoint)", tried: tried)
        {
            try await metadata.instance(endpoint: endpoint)
        }
    }

    /// The error when no source has credentials: what was tried and what to set.
    static func noCredentials(_ tried: [String]) -> CloudAuthError {
        CloudAuthError(
            cloud: "AWS",
            "no AWS credentials: tried \(tried.joined(separator: ", ")); set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with a role (IRSA, Pod Identity, an instance profile)"
        )
    }

    func stsRegion(profile: [String: String]?) -> String {
        context.environment["AWS_REGION"] ?? context.environment["AWS_DEFAULT_REGION"] ?? profile?["region"]
            ?? fallbackRegion
    }

    func webIdentity(role: String, tokenFile: String, session: String, region: String, tried: [String])
        -> AWSCredentialSource
    {
        let sts = AWSSecurityTokenService(
            endpoint: AWSEndpoints(environment: context.environment).sts(region: region), region: region,
            context: context)
        return AWSCredentialSource(
            name: "web identity (\(role))", identity: "web-identity:\(role):\(tokenFile)", tried: tried
        ) {
            let token = try MountedTokenFile.read(
                tokenFile, cloud: "AWS", unreadable: { "cannot read the web identity token \(tokenFile): \($0)" },
                missing:
                    "the web identity token file \(tokenFile) does not exist or is empty; is the service account token projected into the pod?"
            )
            return try await sts.assumeRoleWithWebIdentity(roleARN: role, sessionName: session, token: token)
        }
    }
}

/// One configured source of AWS credentials, chosen without network.
package struct AWSCredentialSource: Sendable {
    /// Where the credentials come from, for explanations (`environment`, `profile ci (role arn:…)`).
    package var name: String
    /// Who the credentials stand for, for the token cache's key: an access key ID, a role ARN with its source.
    /// Never a secret.
    package var identity: String
    /// The sources passed over before this one, for the error when this one fails too.
    package var tried: [String]
    /// Obtains the credentials (from the network for every source but the environment and static profiles).
    package var fetch: @Sendable () async throws -> AWSCredentials

    init(name: String, identity: String, tried: [String], fetch: @escaping @Sendable () async throws -> AWSCredentials)
    {
        self.name = name
        self.identity = identity
        self.tried = tried
        self.fetch = fetch
    }
}

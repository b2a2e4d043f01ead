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
        if let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty,
            let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        {
            let credentials = AWSCredentials(
                accessKeyID: key, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"])
            return AWSCredentialSource(name: "environment", identity: "env:\(key)", tried: tried) { credentials }
        }
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
        if let url = try AWSMetadataCredentials.containerURL(environment) {
            let metadata = AWSMetadataCredentials(context: context)
            // On a node every pod asks the same agent address; the authorization token tells whose role it is, so
            // its hash is part of the identity (never the token itself).
            let token = try AWSMetadataCredentials.authorizationToken(environment) ?? ""
            let tokenHash = CloudCrypto.hex(CloudCrypto.sha256(Array(token.utf8))).prefix(16)
            return AWSCredentialSource(
                name: "container credentials (\(url))", identity: "container:\(url):\(tokenHash)", tried: tried
            ) {
                try await metadata.container(url: url)
            }
        }
        tried.append("container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI unset)")

        // 5. Instance metadata, unless disabled.
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            tried.append("instance metadata (AWS_EC2_METADATA_DISABLED is true)")
            throw Self.noCredentials(tried)
        }
        let endpoint = AWSMetadataCredentials.instanceEndpoint(environment)
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

    /// A profile's source, in botocore's order: a role assumed with `source_profile`'s credentials (`role_arn`),
    /// a role assumed with a web identity token file, IAM Identity Center (`sso_account_id`, `sso_role_name`),
    /// static keys, `credential_process`; `nil` when the profile has none of them. A profile serving as another's
    /// `source_profile` that holds static keys gives those keys and ignores its own `role_arn`, as the SDKs do, so
    /// the usual "keys and a role in one profile that sources itself" set-up assumes the role once.
    func profileSource(
        _ name: String, _ profile: [String: String], _ shared: AWSSharedConfig, tried: [String], depth: Int,
        asSource: Bool = false
    ) throws -> AWSCredentialSource? {
        let staticKeys = Self.staticKeys(profile)
        if let role = profile["role_arn"], !role.isEmpty, profile["web_identity_token_file"] == nil,
            !(asSource && staticKeys != nil)
        {
            return try assumedRole(name, role: role, profile, shared, tried: tried, depth: depth)
        }
        if let role = profile["role_arn"], !role.isEmpty, let tokenFile = profile["web_identity_token_file"] {
            let session = profile["role_session_name"] ?? "ossb-\(context.now())"
            return webIdentity(
                role: role, tokenFile: tokenFile, session: session, region: stsRegion(profile: profile), tried: tried)
        }
        if let sso = try AWSSingleSignOn(profile: name, settings: profile, shared: shared) {
            let context = context
            return AWSCredentialSource(
                name: "profile \(name) (\(sso.what))",
                identity: "profile:\(name):sso:\(sso.startURL):\(sso.accountID):\(sso.roleName)", tried: tried
            ) {
                try await sso.fetch(context)
            }
        }
        if let credentials = staticKeys {
            return AWSCredentialSource(
                name: "profile \(name)", identity: "profile:\(name):\(credentials.accessKeyID)", tried: tried
            ) {
                credentials
            }
        }
        if let command = profile["credential_process"], !command.isEmpty {
            let process = try AWSProcessCredentials(profile: name, command: command, environment: context.environment)
            // The command line may hold secrets (a vault's password option): the identity keeps only its hash.
            let commandHash = CloudCrypto.hex(CloudCrypto.sha256(Array(command.utf8))).prefix(16)
            return AWSCredentialSource(
                name: "profile \(name) (credential_process \(TerminalText.sanitized(process.words[0].prefix(200))))",
                identity: "profile:\(name):process:\(commandHash)", tried: tried
            ) {
                try process.fetch()
            }
        }
        return nil
    }

    /// A profile's static keys (`aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`), when complete.
    static func staticKeys(_ profile: [String: String]) -> AWSCredentials? {
        guard let key = profile["aws_access_key_id"], !key.isEmpty, let secret = profile["aws_secret_access_key"],
            !secret.isEmpty
        else { return nil }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: profile["aws_session_token"])
    }

    /// `role_arn` assumed at STS with the credentials of `source_profile`.
    func assumedRole(
        _ name: String, role: String, _ profile: [String: String], _ shared: AWSSharedConfig, tried: [String],
        depth: Int
    ) throws -> AWSCredentialSource {
        let session = profile["role_session_name"] ?? "ossb-\(context.now())"
        let region = stsRegion(profile: profile)
        guard let sourceName = profile["source_profile"] else {
            throw CloudAuthError(
                cloud: "AWS",
                "profile \(name) has role_arn but no source_profile (credential_source is not supported); add source_profile"
            )
        }
        guard depth < 4, let sourceProfile = shared.profiles[sourceName],
            let source = try profileSource(
                sourceName, sourceProfile, shared, tried: tried, depth: depth + 1, asSource: true)
        else {
            throw CloudAuthError(
                cloud: "AWS",
                "profile \(name)'s source_profile \(sourceName) has no credentials (or the chain of roles loops); fix \(shared.files.joined(separator: " or "))"
            )
        }
        let sts = AWSSecurityTokenService(
            endpoint: AWSEndpoints(environment: context.environment).sts(region: region), region: region,
            context: context)
        let externalID = profile["external_id"]
        return AWSCredentialSource(
            name: "profile \(name) (role \(role) with \(source.name))",
            identity: "profile:\(name):role:\(role):via:\(source.identity)", tried: tried
        ) {
            let base = try await source.fetch()
            return try await sts.assumeRole(roleARN: role, sessionName: session, externalID: externalID, with: base)
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

import AuthCore

/// The shared files' part of the chain: which source a profile yields.
extension AWSCredentialChain {
    /// A profile's source, in botocore's order: a role assumed with the credentials of `source_profile` or
    /// `credential_source`, a role assumed with a web identity token file, IAM Identity Center (`sso_account_id`,
    /// `sso_role_name`), static keys, `credential_process`; `nil` when the profile has none of them. A profile
    /// serving as another's `source_profile` that holds static keys gives those keys and ignores its own
    /// `role_arn`, as the SDKs do, so the usual "keys and a role in one profile that sources itself" set-up
    /// assumes the role once.
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
            let commandHash = CloudCrypto.fingerprint(Array(command.utf8))
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
        let source: AWSCredentialSource
        switch (profile["source_profile"], profile["credential_source"]) {
        case (let sourceName?, nil):
            guard depth < 4, let sourceProfile = shared.profiles[sourceName],
                let found = try profileSource(
                    sourceName, sourceProfile, shared, tried: tried, depth: depth + 1, asSource: true)
            else {
                throw CloudAuthError(
                    cloud: "AWS",
                    "profile \(name)'s source_profile \(sourceName) has no credentials (or the chain of roles loops); fix \(shared.files.joined(separator: " or "))"
                )
            }
            source = found
        case (nil, let credentialSource?):
            source = try self.credentialSource(credentialSource, of: name, tried: tried)
        case (_?, _?):
            throw CloudAuthError(
                cloud: "AWS",
                "profile \(name) sets both source_profile and credential_source; keep the one that holds the credentials for role_arn"
            )
        case (nil, nil):
            throw CloudAuthError(
                cloud: "AWS",
                "profile \(name) has role_arn but neither source_profile nor credential_source; add the one whose credentials may assume the role"
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

    /// The source `credential_source` names for a role: `Environment`, `Ec2InstanceMetadata` or `EcsContainer`.
    func credentialSource(_ value: String, of profile: String, tried: [String]) throws -> AWSCredentialSource {
        let found: AWSCredentialSource?
        switch value {
        case "Environment": found = environmentSource(tried: tried)
        case "Ec2InstanceMetadata": found = instanceSource(tried: tried)
        case "EcsContainer": found = try containerSource(tried: tried)
        default:
            throw CloudAuthError(
                cloud: "AWS",
                "profile \(profile)'s credential_source \(TerminalText.sanitized(value.prefix(60))) is none of Environment, Ec2InstanceMetadata, EcsContainer; correct it"
            )
        }
        guard let found else {
            throw CloudAuthError(
                cloud: "AWS",
                "profile \(profile)'s credential_source \(value) has no credentials here (\(value == "Environment" ? "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are unset" : "no AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI")); set them or use source_profile"
            )
        }
        return found
    }
}

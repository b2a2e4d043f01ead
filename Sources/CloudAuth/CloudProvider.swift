import AuthCore

/// One cloud's way of minting registry credentials: AWS ECR, Google Artifact Registry and GCR, Azure Container
/// Registry. A provider recognises its registry hosts and walks its cloud's standard credential chain to obtain a
/// short-lived credential the registry accepts. Providers never store anything: the cloud owns the credential,
/// and `CloudTokenCache` keeps what they mint until shortly before it expires.
package protocol CloudProvider: Sendable {
    /// The cloud's name in messages and explanations (`AWS`, `Google Cloud`, `Azure`).
    var cloudName: String { get }

    /// Whether `host` (normalised, with port when one was given) is one of this cloud's registries.
    func serves(host: String) -> Bool

    /// Mints a credential for the registry `host`, walking the cloud's credential chain in its standard order.
    /// - Parameters:
    ///   - host: a registry host for which `serves(host:)` is true.
    ///   - context: the environment, the HTTP client and the explanation channel.
    /// - Returns: the credential and who obtained it.
    /// - Throws: `CloudAuthError` naming the cloud, the credential sources tried and what to do.
    func credential(for host: String, in context: CloudContext) async throws -> CloudCredential

    /// Who would obtain a credential for `host`, decided without any network: the identity the token cache files
    /// the credential under (an access key ID, a role ARN, a service account, a client ID, with the endpoint that
    /// mints), so that a cached `get` makes no request and no identity is ever served another's token. `nil`
    /// when it cannot be known in advance: the credential is then minted every time and not cached.
    /// - Throws: `CloudAuthError` for a configuration that is present but broken.
    func identity(for host: String, in context: CloudContext) throws -> String?
}

extension CloudProvider {
    /// No identity known in advance: nothing is cached.
    package func identity(for host: String, in context: CloudContext) throws -> String? { nil }
}

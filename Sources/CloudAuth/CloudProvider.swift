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
}

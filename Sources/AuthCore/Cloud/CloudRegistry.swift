/// The clouds whose registries OSSB mints credentials for, recognised by host name alone. Discovery uses this to
/// decide which cloud helper to run (`docker-credential-ossb-ecr`, `-gcr`, `-acr`); the helpers themselves, which
/// link the network code, live in the CloudAuth module.
package enum CloudRegistry: String, Sendable, CaseIterable {
    /// Amazon ECR and ECR Public (`ECRRegistryHost`).
    case ecr
    /// Google Artifact Registry and Container Registry: `gcr.io`, `*.gcr.io`, `*-docker.pkg.dev`.
    case gcr
    /// Azure Container Registry: `*.azurecr.io`, `*.azurecr.cn`, `*.azurecr.us`.
    case acr

    /// Seconds before its expiry at which a cached cloud credential is no longer served (the token cache drops it):
    /// long enough for a pull that starts with it to finish its token exchanges. The kubelet plugin keeps the same
    /// margin: it lets kubelet reuse an answer for a cloud registry for at most this long, and never past the
    /// token's expiry less this margin.
    package static let tokenMargin: Int64 = 300

    /// The helper's suffix: `docker-credential-` followed by this is the executable.
    package var helperName: String { "ossb-\(rawValue)" }

    /// The cloud whose registry `host` (with or without a port) is, or `nil`: the one rule for routing a host to
    /// a cloud helper and for a helper to serve it (the providers' `serves` ask this), parsed by `CloudHostName`.
    package static func serving(host: String) -> CloudRegistry? {
        let name = CloudHostName(host)
        if ECRRegistryHost(name) != nil { return .ecr }
        if name.isExactly("gcr.io") || name.label(before: "gcr.io") != nil { return .gcr }
        if let label = name.label(before: "pkg.dev"), label.hasSuffix("-docker"), label.count > "-docker".count {
            return .gcr
        }
        if ["azurecr.io", "azurecr.cn", "azurecr.us"].contains(where: { name.label(before: $0) != nil }) {
            return .acr
        }
        return nil
    }
}

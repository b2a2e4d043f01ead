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

    /// Seconds before its expiry at which a cloud credential is no longer handed out (the token cache drops it):
    /// long enough for a pull that starts with it to finish its token exchanges. It also bounds what the kubelet
    /// plugin lets kubelet cache for a cloud registry: an answer reused for at most this long never outlives the
    /// token, whatever age the cached token has.
    package static let tokenMargin: Int64 = 300

    /// The helper's suffix: `docker-credential-` followed by this is the executable.
    package var helperName: String { "ossb-\(rawValue)" }

    /// The cloud whose registry `host` (with or without a port) is, or `nil`.
    package static func serving(host: String) -> CloudRegistry? {
        var name = Substring(host.lowercased())
        if let colon = name.lastIndex(of: ":"), !name.contains("]") { name = name[..<colon] }
        if ECRRegistryHost(String(name)) != nil { return .ecr }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.contains(where: \.isEmpty) { return nil }
        if name == "gcr.io" || (labels.count == 3 && name.hasSuffix(".gcr.io")) { return .gcr }
        if labels.count == 3, name.hasSuffix(".pkg.dev"), labels[0].hasSuffix("-docker"), labels[0].count > 7 {
            return .gcr
        }
        if labels.count == 3, labels[1] == "azurecr", ["io", "cn", "us"].contains(labels[2]) { return .acr }
        return nil
    }
}

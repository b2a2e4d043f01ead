import AuthCore

/// The API endpoints the ECR helper calls, overridden as the AWS SDKs allow: `AWS_ENDPOINT_URL_<SERVICE>` for one
/// service, `AWS_ENDPOINT_URL` for all, both ignored when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true.
package struct AWSEndpoints: Sendable {
    let environment: Environment

    /// Reads the overrides from an environment.
    package init(environment: Environment) {
        self.environment = environment
    }

    /// The configured override for a service (`ECR`, `ECR_PUBLIC`, `STS`, `SSO`, `SSO_OIDC`), or `nil`.
    func override(_ service: String) -> String? {
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() == "true" { return nil }
        let value = environment["AWS_ENDPOINT_URL_\(service)"] ?? environment["AWS_ENDPOINT_URL"]
        guard let value, !value.isEmpty else { return nil }
        return value.hasSuffix("/") ? String(value.dropLast()) : value
    }

    /// The ECR (or ECR Public) API endpoint for a registry.
    package func ecr(_ registry: ECRRegistryHost) -> String {
        if registry.isPublic {
            return override("ECR_PUBLIC") ?? "https://api.ecr-public.\(registry.region).amazonaws.com"
        }
        if let configured = override("ECR") { return configured }
        let suffix = registry.china ? "amazonaws.com.cn" : "amazonaws.com"
        return registry.fips
            ? "https://ecr-fips.\(registry.region).\(suffix)" : "https://api.ecr.\(registry.region).\(suffix)"
    }

    /// The IAM Identity Center (SSO) portal of a region, which hands out role credentials for a cached login.
    package func sso(region: String) -> String {
        if let configured = override("SSO") { return configured }
        return "https://portal.sso.\(region).\(region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com")"
    }

    /// The IAM Identity Center OIDC service of a region, which renews the access token of an `[sso-session]` login.
    package func ssoOIDC(region: String) -> String {
        if let configured = override("SSO_OIDC") { return configured }
        return "https://oidc.\(region).\(region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com")"
    }

    /// The STS endpoint of a region (regional, as current SDKs default to).
    package func sts(region: String) -> String {
        if let configured = override("STS") { return configured }
        return "https://sts.\(region).\(region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com")"
    }
}

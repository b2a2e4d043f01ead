/// An Amazon ECR registry host, read from its name alone: `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`
/// (a private registry, whose name gives the account and region) or `public.ecr.aws` (ECR Public, whose tokens come
/// from us-east-1). A port, if any, is ignored for matching: tests reach a loopback registry under such a name.
package struct ECRRegistryHost: Sendable, Equatable {
    /// The ECR Public registry.
    package static let publicHost = "public.ecr.aws"

    /// The 12-digit account, `nil` for ECR Public.
    package var account: String?
    /// The region whose API mints the token.
    package var region: String
    /// Whether the name asks for the FIPS endpoint (`dkr.ecr-fips`).
    package var fips: Bool
    /// Whether the registry is in the China partition (`.amazonaws.com.cn`).
    package var china: Bool

    /// Whether this is ECR Public.
    package var isPublic: Bool { account == nil }

    /// Parses a host (any case, with or without a port); `nil` when it is not an ECR registry.
    package init?(_ host: String) {
        self.init(CloudHostName(host))
    }

    /// Reads a parsed host name; `nil` when it is not an ECR registry.
    package init?(_ name: CloudHostName) {
        let labels = name.labels
        if name.isExactly(Self.publicHost) {
            self.account = nil
            self.region = "us-east-1"
            self.fips = false
            self.china = false
            return
        }
        let china = labels.count == 7
        guard labels.count == (china ? 7 : 6), labels[4] == "amazonaws", labels[5] == "com",
            !china || labels[6] == "cn", labels[1] == "dkr", labels[2] == "ecr" || labels[2] == "ecr-fips",
            labels[0].count == 12, labels[0].allSatisfy(\.isASCIIDigit), Self.isRegion(labels[3])
        else { return nil }
        self.account = String(labels[0])
        self.region = String(labels[3])
        self.fips = labels[2] == "ecr-fips"
        self.china = china
    }

    /// A region name: lower-case letters, digits and inner dashes (`us-east-1`, `cn-north-1`, `us-gov-west-1`).
    static func isRegion(_ label: Substring) -> Bool {
        !label.isEmpty && label.first != "-" && label.last != "-"
            && label.allSatisfy { $0.isASCIIDigit || ("a"..."z").contains($0) || $0 == "-" }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// A platform, as in OCI image indexes (the Go package's `types.Platform`).
public struct Platform: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The operating system (`linux`, `windows`).
    public var os: String
    /// The CPU architecture (`amd64`, `arm64`, `arm`).
    public var architecture: String
    /// The CPU variant (`v7` for arm, `v8` for arm64), if any.
    public var variant: String?
    /// The OS version (Windows), if any.
    public var osVersion: String?
    /// Required OS features, if any.
    public var osFeatures: [String]?
    /// Required CPU features (reserved by the spec), if any.
    public var features: [String]?

    enum CodingKeys: String, CodingKey {
        case os, architecture, variant, features
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    /// Creates a platform.
    public init(
        os: String, architecture: String, variant: String? = nil, osVersion: String? = nil,
        osFeatures: [String]? = nil, features: [String]? = nil
    ) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
        self.osVersion = osVersion
        self.osFeatures = osFeatures
        self.features = features
    }

    /// Parses `os/arch[/variant]`, as `--platform` takes it (`linux/arm64`, `linux/arm/v7`).
    /// - Throws: `PlatformError.invalid` for anything else.
    public static func parse(_ text: String) throws -> Platform {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else {
            throw PlatformError.invalid(text)
        }
        return Platform(
            os: parts[0].lowercased(), architecture: parts[1].lowercased(),
            variant: parts.count == 3 ? parts[2].lowercased() : nil)
    }

    /// The platform this process runs on (Linux only; the architecture from `uname`).
    public static var current: Platform {
        #if arch(x86_64)
            return Platform(os: "linux", architecture: "amd64")
        #elseif arch(arm64)
            return Platform(os: "linux", architecture: "arm64", variant: "v8")
        #elseif arch(arm)
            return Platform(os: "linux", architecture: "arm", variant: "v7")
        #elseif arch(i386)
            return Platform(os: "linux", architecture: "386")
        #else
            return Platform(os: "linux", architecture: "unknown")
        #endif
    }

    /// `os/arch[/variant]`.
    public var description: String {
        "\(os)/\(architecture)" + (variant.map { "/\($0)" } ?? "")
    }

    /// The same platform with the names real clients treat as equal folded together: `x86_64` is `amd64`,
    /// `aarch64` is `arm64`, arm64's default variant `v8` is no variant, arm's default variant is `v7`.
    public var normalized: Platform {
        var p = self
        p.os = os.lowercased()
        switch architecture.lowercased() {
        case "x86_64", "x86-64": p.architecture = "amd64"
        case "aarch64": p.architecture = "arm64"
        case "armhf":
            p.architecture = "arm"
            p.variant = p.variant ?? "v7"
        case "armel":
            p.architecture = "arm"
            p.variant = p.variant ?? "v6"
        case "i386", "i686": p.architecture = "386"
        default: p.architecture = architecture.lowercased()
        }
        p.variant = p.variant?.lowercased()
        if p.architecture == "arm64", p.variant == "v8" { p.variant = nil }
        if p.architecture == "arm", p.variant == nil { p.variant = "v7" }
        if p.variant == "" { p.variant = nil }
        return p
    }
}

/// A platform could not be parsed or found.
public enum PlatformError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--platform` was not `os/arch[/variant]`.
    case invalid(String)
    /// The index has no manifest for the platform; `available` lists what it has.
    case notFound(requested: Platform, available: [Platform], reference: String)

    public var description: String {
        switch self {
        case .invalid(let text):
            return
                "invalid platform \"\(text)\": expected os/architecture[/variant], such as linux/amd64 or linux/arm/v7"
        case .notFound(let requested, let available, let reference):
            let list = available.isEmpty ? "none" : available.map(\.description).joined(separator: ", ")
            return
                "\(reference) has no image for \(requested); available platforms: \(list) (choose one with --platform)"
        }
    }
}

import Foundation
import OSSBTestSupport

/// An image scripts/testbed/seed-image.py pushed to the Basic-auth test registry.
struct SeededImage: Decodable {
    /// The top-level digest (the manifest, or the index / manifest list).
    let digest: String
    /// The top-level media type.
    let mediaType: String
    /// Each platform's image manifest digest.
    let manifests: [String: String]
    /// Each platform's layer digests.
    let layers: [String: [String]]

    /// seed-image.py writes snake_case.
    enum CodingKeys: String, CodingKey {
        case digest, manifests, layers
        case mediaType = "media_type"
    }

    /// Pushes a fresh image (new layer bytes every time) as `repo:tag`: a plain manifest for one platform, else an
    /// index or manifest list; `format` is `oci` or `docker`.
    static func push(
        _ repo: String, tag: String = "v1", format: String = "oci", platforms: String = "linux/amd64,linux/arm64/v8",
        extra: [String] = []
    ) throws -> SeededImage {
        guard let registry = TestServers.basic else { throw CommandTestFailure("needs scripts/test.sh's registry") }
        let result = try TestProcess.run(
            "/usr/bin/env",
            [
                "python3", "\(SourceTree.root)/scripts/testbed/seed-image.py", "--registry", registry.address, "--user",
                registry.user,
                "--password", registry.password, "--repo", repo, "--tag", tag, "--platforms", platforms, "--format",
                format,
            ] + extra, environment: ["PATH": "/usr/bin:/bin"])
        guard result.status == 0 else { throw CommandTestFailure("seed-image.py: \(result)") }
        return try JSONDecoder().decode(SeededImage.self, from: Data(result.stdout.utf8))
    }
}

/// Chooses the manifest for a platform from an index, with the rules real clients converge on
/// (containerd's platform matcher, docker, containers/image):
///
/// - os and architecture must match after normalisation (`x86_64` is `amd64`, `aarch64` is `arm64`);
/// - a requested variant must match; for arm, a lower variant is an acceptable fallback (v7 runs v6 and v5),
///   an exact match preferred; with no variant requested, any variant matches, the default one preferred;
/// - `os.version` and `os.features` are compared only when asked for (Windows images);
/// - a descriptor with no platform counts as linux/amd64;
/// - attestation manifests (BuildKit's `unknown/unknown` entries) are never chosen;
/// - among equally good matches the first in the index wins.
package enum PlatformSelector {
    /// The platform assumed for a descriptor that has none.
    package static let implicitPlatform = Platform(os: "linux", architecture: "amd64")

    /// Whether a descriptor is a BuildKit attestation rather than an image.
    package static func isAttestation(_ descriptor: Descriptor) -> Bool {
        if descriptor.annotations?["vnd.docker.reference.type"] == "attestation-manifest" { return true }
        if let p = descriptor.platform, p.os == "unknown", p.architecture == "unknown" { return true }
        return false
    }

    /// Picks the descriptor for `requested`.
    /// - Throws: `PlatformError.notFound` listing the index's platforms.
    package static func select(_ requested: Platform, from index: ImageIndex, reference: String) throws -> Descriptor {
        let want = requested.normalized
        var best: (descriptor: Descriptor, score: Int)?
        for descriptor in index.manifests where !isAttestation(descriptor) {
            guard
                let score = score(
                    candidate: (descriptor.platform ?? implicitPlatform).normalized, wanted: want,
                    explicitVariant: requested.variant != nil)
            else { continue }
            if best == nil || score > best!.score { best = (descriptor, score) }
        }
        guard let best else {
            throw PlatformError.notFound(requested: requested, available: index.platforms, reference: reference)
        }
        return best.descriptor
    }

    /// A score for how well `candidate` fits (higher is better), or `nil` when it does not fit at all.
    static func score(candidate: Platform, wanted: Platform, explicitVariant: Bool) -> Int? {
        guard candidate.os == wanted.os, candidate.architecture == wanted.architecture else { return nil }
        if let version = wanted.osVersion {
            // Windows: the build must match (major.minor.build); the revision may differ.
            let prefix = version.split(separator: ".").prefix(3).joined(separator: ".")
            guard let have = candidate.osVersion, have.split(separator: ".").prefix(3).joined(separator: ".") == prefix
            else { return nil }
        }
        if let features = wanted.osFeatures, !features.isEmpty {
            guard Set(candidate.osFeatures ?? []).isSuperset(of: features) else { return nil }
        }
        var score = 100
        if candidate.variant == wanted.variant { return score }
        if !explicitVariant { return score - 10 }
        // arm variants are backwards compatible: a v7 machine runs v6 and v5 images.
        if wanted.architecture == "arm", let want = wanted.variant.flatMap(armLevel),
            let have = candidate.variant.flatMap(armLevel), have < want
        {
            score -= 10 * (want - have)
            return score
        }
        return nil
    }

    static func armLevel(_ variant: String) -> Int? {
        guard variant.hasPrefix("v") else { return nil }
        return Int(variant.dropFirst())
    }
}

import FoundationEssentials
import HTTPTransport

/// Rewrites Docker schema 2 manifests and manifest lists as their OCI equivalents, as containers/image does
/// for an `oci:` destination.
///
/// The `oci:` transport of skopeo, podman and buildah finds an image by tag only among descriptors of an OCI
/// media type, and umoci refuses Docker media types altogether, so a layout holding a Docker manifest cannot be
/// opened by tag. The conversion changes media types only: layer and config bytes stay as they are (the Docker
/// image configuration is already a valid OCI configuration, so unlike skopeo the config is not re-encoded
/// and the image ID stays the same). The manifest's bytes, and so its digest, change.
package enum OCIConversion {
    /// Docker layer media types and their OCI names.
    package static let layerTypes: [String: String] = [
        MediaType.dockerLayerGzip: MediaType.ociLayerGzip,
        "application/vnd.docker.image.rootfs.diff.tar": "application/vnd.oci.image.layer.v1.tar",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip":
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.docker.image.rootfs.foreign.diff.tar":
            "application/vnd.oci.image.layer.nondistributable.v1.tar",
    ]

    /// A document after conversion: its new bytes and the descriptor that names them.
    package struct Converted: Sendable {
        /// The OCI document's bytes.
        package let bytes: [UInt8]
        /// Media type, digest and size of `bytes` (annotations and platform copied from the original descriptor).
        package let descriptor: Descriptor
    }

    /// Whether a manifest or index media type is Docker's.
    package static func isDocker(_ mediaType: String) -> Bool {
        mediaType == MediaType.dockerManifest || mediaType == MediaType.dockerManifestList
    }

    /// The OCI image manifest for a Docker schema 2 manifest; `nil` when `manifest` is not Docker's.
    /// - Parameter original: the descriptor that named the Docker manifest (its platform and annotations are kept).
    package static func convert(_ manifest: ImageManifest, mediaType: String, original: Descriptor) throws -> Converted?
    {
        guard mediaType == MediaType.dockerManifest else { return nil }
        var oci = manifest
        oci.mediaType = MediaType.ociManifest
        if oci.config.mediaType == MediaType.dockerConfig { oci.config.mediaType = MediaType.ociConfig }
        oci.layers = manifest.layers.map { layer in
            var layer = layer
            layer.mediaType = layerTypes[layer.mediaType] ?? layer.mediaType
            return layer
        }
        return try converted(oci, mediaType: MediaType.ociManifest, original: original)
    }

    /// The OCI image index for an index whose entries were (partly) converted: `replacements` maps an entry's
    /// original digest to its converted descriptor. `nil` when the index is OCI and no entry changed.
    package static func convert(
        _ index: ImageIndex, mediaType: String, original: Descriptor, replacements: [String: Descriptor]
    ) throws -> Converted? {
        guard mediaType == MediaType.dockerManifestList || !replacements.isEmpty else { return nil }
        var oci = index
        oci.mediaType = MediaType.ociIndex
        oci.manifests = index.manifests.map { entry in
            guard let replacement = replacements[entry.digest] else { return entry }
            var entry = entry
            entry.mediaType = replacement.mediaType
            entry.digest = replacement.digest
            entry.size = replacement.size
            return entry
        }
        return try converted(oci, mediaType: MediaType.ociIndex, original: original)
    }

    private static func converted(_ value: some Encodable, mediaType: String, original: Descriptor) throws -> Converted
    {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes: [UInt8]
        do { bytes = Array(try encoder.encode(value)) } catch {
            throw LayoutError.io("cannot encode the OCI manifest: \(error)")
        }
        var descriptor = original
        descriptor.mediaType = mediaType
        descriptor.digest = SHA256Digest.digest(bytes)
        descriptor.size = Int64(bytes.count)
        return Converted(bytes: bytes, descriptor: descriptor)
    }
}

/// A single-platform image manifest: an OCI image manifest or a Docker schema 2 manifest (the original
/// design's `ImageManifest`).
public struct ImageManifest: Sendable, Hashable, Codable {
    /// Always 2.
    public var schemaVersion: Int
    /// The manifest's media type (from the document, else from the response's `Content-Type`).
    public var mediaType: String?
    /// The image configuration blob.
    public var config: Descriptor
    /// The layers, base first.
    public var layers: [Descriptor]
    /// Annotations, if any.
    public var annotations: [String: String]?
    /// The manifest this one refers to (OCI 1.1 referrers), if any.
    public var subject: Descriptor?
    /// The artifact type (OCI 1.1), if any.
    public var artifactType: String?

    /// Creates a manifest.
    public init(
        schemaVersion: Int = 2, mediaType: String?, config: Descriptor, layers: [Descriptor],
        annotations: [String: String]? = nil
    ) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
        self.annotations = annotations
    }

    /// The total size of config and layers in bytes.
    public var totalSize: Int64 { config.size + layers.reduce(0) { $0 + $1.size } }
}

/// A multi-platform index: an OCI image index or a Docker manifest list.
public struct ImageIndex: Sendable, Hashable, Codable {
    /// Always 2.
    public var schemaVersion: Int
    /// The index's media type.
    public var mediaType: String?
    /// One descriptor per platform-specific manifest (and possibly attestations).
    public var manifests: [Descriptor]
    /// Annotations, if any.
    public var annotations: [String: String]?

    /// Creates an index.
    public init(
        schemaVersion: Int = 2, mediaType: String?, manifests: [Descriptor], annotations: [String: String]? = nil
    ) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.manifests = manifests
        self.annotations = annotations
    }

    /// The platforms the index offers, attestation manifests left out.
    public var platforms: [Platform] {
        manifests.filter { !PlatformSelector.isAttestation($0) }.map {
            $0.platform ?? PlatformSelector.implicitPlatform
        }
    }
}

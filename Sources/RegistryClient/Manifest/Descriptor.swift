import RegistryVocabulary

/// A content descriptor (OCI image spec): what a manifest, an index or a layout says about a blob.
public struct Descriptor: Sendable, Hashable, Codable {
    /// The media type of the referenced content.
    public var mediaType: String
    /// The digest of the referenced content, as written (`sha256:…`).
    public var digest: String
    /// The size in bytes.
    public var size: Int64
    /// Alternative download locations (foreign layers), if any.
    public var urls: [String]?
    /// Annotations, if any.
    public var annotations: [String: String]?
    /// The platform, in an index.
    public var platform: Platform?
    /// The artifact type (OCI 1.1), if any.
    public var artifactType: String?

    /// Creates a descriptor.
    public init(
        mediaType: String, digest: String, size: Int64, urls: [String]? = nil,
        annotations: [String: String]? = nil, platform: Platform? = nil, artifactType: String? = nil
    ) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.urls = urls
        self.annotations = annotations
        self.platform = platform
        self.artifactType = artifactType
    }

    /// Whether this is a foreign (non-distributable) layer: one that names `urls` to download it from, which
    /// registries need not serve. Such layers are not transferred (as skopeo does); their descriptors are kept.
    public var isForeign: Bool { !(urls ?? []).isEmpty }

    /// The validated digest.
    /// - Throws: `ImageReferenceError.badDigest`.
    public func parsedDigest() throws -> Digest { try Digest(digest) }
}

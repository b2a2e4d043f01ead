import RegistryVocabulary

/// One image manifest of a push or copy: its stored bytes and what they say (the config and layers to transfer).
struct ImageContent: Sendable {
    /// The manifest as stored.
    let stored: ManifestBytes
    /// The manifest parsed.
    let manifest: ImageManifest

    /// The image manifest of a fetched or read document.
    init(_ document: ManifestDocument, digest: Digest, manifest: ImageManifest) {
        stored = ManifestBytes(document, digest: digest)
        self.manifest = manifest
    }
}

import RegistryVocabulary

/// A manifest or index exactly as a registry stores it: the bytes (pushed unchanged, so the digest holds), their
/// digest and their media type.
struct ManifestBytes: Sendable {
    /// The exact bytes.
    let bytes: [UInt8]
    /// The digest of `bytes`.
    let digest: Digest
    /// The media type sent as `Content-Type`.
    let mediaType: String

    /// The bytes of a parsed document.
    init(_ document: ManifestDocument, digest: Digest) {
        bytes = document.bytes
        self.digest = digest
        mediaType = document.mediaType
    }
}

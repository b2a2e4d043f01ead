import RegistryVocabulary

/// A repository a blob is known to live in, as the cache records it so that a push to another repository of the
/// same registry can mount the blob instead of uploading it (`BlobCache.recordOrigins`).
package struct BlobOrigin: Sendable, Hashable {
    /// The blob.
    package let digest: Digest
    /// The registry's host (with port), as `ServerAddress.host(of:)` gives it.
    package let registry: String
    /// The repository there.
    package let repository: String

    /// An origin of `digest`: `repository` of `registry`.
    package init(_ digest: Digest, registry: String, repository: String) {
        self.digest = digest
        self.registry = registry
        self.repository = repository
    }
}

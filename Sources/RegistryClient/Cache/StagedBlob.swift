import RegistryVocabulary

/// A verified download waiting in the cache's `tmp/` for the durability pass, after which it is renamed under its
/// digest's name (`BlobBatch`).
struct StagedBlob: Sendable {
    /// The blob.
    let digest: Digest
    /// Its file in `tmp/`: complete, of the expected size, hashing to `digest`, not yet synced.
    let temporary: String
    /// Where it came from (the registry or mirror host, and the repository), recorded as an origin once it is
    /// cached, so a push to another repository there can mount it.
    let registry: String
    let repository: String

    /// The origin to record once it is cached.
    var origin: BlobOrigin { BlobOrigin(digest, registry: registry, repository: repository) }
}

import RegistryVocabulary

/// A verified download waiting in the cache's `tmp/` for the durability pass, after which it is renamed under its
/// digest's name (`BlobBatch`).
struct StagedBlob: Sendable {
    /// The blob.
    let digest: Digest
    /// Its file in `tmp/` (or beside its name in a layout): complete, of the expected size, hashing to `digest`,
    /// not yet synced.
    let temporary: String
    /// The file that was verified: a name in a directory others can write (a layout's) may be made to lead to
    /// another, so the cache takes only this one.
    let file: FileIdentity
    /// Where it came from (the registry or mirror host, and the repository), recorded as an origin once it is
    /// cached, so a push to another repository there can mount it.
    let registry: String
    let repository: String

    /// The origin to record once it is cached.
    var origin: BlobOrigin { BlobOrigin(digest, registry: registry, repository: repository) }
}

import RegistryVocabulary

/// The repositories of one registry known to hold each blob (`BlobCache.origins(in:)`), read once for a whole
/// push or copy.
package struct OriginIndex: Sendable {
    let cache: BlobCache
    /// The registry's host (with port).
    let registry: String
    /// From the registry's origins file: digest to repositories, in the order they were recorded.
    let repositories: [String: [String]]

    /// The repositories of the registry that hold `digest`: those in the registry's origins file, then those in
    /// the blob's own file from earlier versions (`origins/<hex>`), each once.
    package func repositories(holding digest: Digest) -> [String] {
        var result = repositories[digest.description] ?? []
        for origin in cache.originsInBlobFile(digest)
        where origin.registry == registry && !result.contains(origin.repository) {
            result.append(origin.repository)
        }
        return result
    }
}

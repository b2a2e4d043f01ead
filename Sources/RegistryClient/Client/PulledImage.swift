/// One image manifest of a pull: the descriptor that named it (with its platform, from an index), the manifest as
/// fetched, and what it says.
struct PulledImage: Sendable {
    /// The descriptor naming the manifest.
    let descriptor: Descriptor
    /// The manifest with its exact bytes and digest.
    let fetched: FetchedManifest
    /// The manifest parsed.
    let manifest: ImageManifest
}

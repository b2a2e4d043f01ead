/// The manifest and layer media types this client understands.
public enum MediaType {
    /// OCI image manifest.
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    /// OCI image index.
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    /// OCI image config.
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    /// OCI gzip layer.
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    /// Docker image manifest, schema 2.
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    /// Docker manifest list.
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    /// Docker image config.
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    /// Docker gzip layer.
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    /// Docker schema 1 (unsigned and signed): deprecated, rejected.
    public static let dockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json"
    /// Docker schema 1, signed.
    public static let dockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws"

    /// The types of a single-platform image manifest.
    public static let imageManifests: Set<String> = [ociManifest, dockerManifest]
    /// The types of a multi-platform index.
    public static let indexes: Set<String> = [ociIndex, dockerManifestList]
    /// The `Accept` header for manifest requests: every type this client can read, indexes included.
    public static let acceptedManifests = [ociIndex, dockerManifestList, ociManifest, dockerManifest]
}

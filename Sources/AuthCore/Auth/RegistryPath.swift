/// A path of the distribution API (`/v2/…`), built in one place so that every request names its resource the
/// same way. Repository names and references are validated before they get here (they hold no `?`, `#` or
/// spaces); a mount's source repository is percent-encoded because it travels in the query.
package struct RegistryPath: Sendable, Equatable, CustomStringConvertible {
    /// The path and query, starting with `/`.
    package let text: String

    /// A path the registry gave itself, such as the next page of a tag list from a `Link` header.
    package init(_ text: String) { self.text = text }

    package var description: String { text }

    /// `/v2/`: the version check every registry answers with 200 or 401 (the ping).
    package static let base = RegistryPath("/v2/")

    /// A manifest or index by tag or digest.
    package static func manifest(_ repository: String, _ reference: String) -> RegistryPath {
        RegistryPath("/v2/\(repository)/manifests/\(reference)")
    }

    /// A blob by digest (`sha256:…`).
    package static func blob(_ repository: String, _ digest: String) -> RegistryPath {
        RegistryPath("/v2/\(repository)/blobs/\(digest)")
    }

    /// Opens an upload session.
    package static func uploads(_ repository: String) -> RegistryPath {
        RegistryPath("/v2/\(repository)/blobs/uploads/")
    }

    /// Asks the registry to mount a blob from another of its repositories (201), or else to open an upload
    /// session (202).
    package static func mount(_ repository: String, digest: String, from source: String) -> RegistryPath {
        RegistryPath("/v2/\(repository)/blobs/uploads/?mount=\(digest)&from=\(FormEncoding.escape(source))")
    }

    /// The first page of a repository's tags.
    package static func tagsList(_ repository: String, pageSize: Int) -> RegistryPath {
        RegistryPath("/v2/\(repository)/tags/list?n=\(pageSize)")
    }
}

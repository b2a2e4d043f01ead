import AuthCore
import FoundationEssentials
import RegistryVocabulary

extension RegistryClient {
    /// The tags of a repository, following the registry's pagination (`Link: <…>; rel="next"`). Names outside
    /// the OCI tag grammar (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`) are dropped with a warning: a registry could
    /// otherwise hand escape sequences or line breaks to whatever prints or uses the list.
    /// - Parameter repository: a reference naming the repository (its tag and digest are ignored).
    /// - Throws: `RegistryError`.
    public func listTags(_ repository: ImageReference) async throws -> [String] {
        let session = try await session(
            for: repository.registry, repository: repository.repository, operation: .listTags)
        var path: RegistryPath? = .tagsList(repository.repository, pageSize: 1000)
        var tags: [String] = []
        var pages = 0
        while let next = path, pages < 1000 {
            pages += 1
            let url = session.url(next)
            let response = try await perform(
                session, operation: .listTags, scopes: [Scope.repository(repository.repository, actions: ["pull"])]
            ) {
                HTTPRequest(url: url, maximumBufferedBody: 16 << 20, timeout: 120)
            }
            struct Page: Decodable { var tags: [String]? }
            guard let page = try? JSONDecoder().decode(Page.self, from: Data(response.body)) else {
                throw RegistryError(
                    .validation, operation: .listTags, registry: session.displayName,
                    message: "\(session.displayName) answered the tag list with something that is not a tag list")
            }
            let valid = (page.tags ?? []).filter { (try? ImageReference.validateTag($0)) != nil }
            if valid.count < (page.tags ?? []).count {
                options.warn(
                    "\(session.displayName) listed \((page.tags ?? []).count - valid.count) tag(s) of \(repository.repository) that are not valid tag names; they were left out"
                )
            }
            tags += valid
            path = Self.nextLink(response.headers["Link"]).map(RegistryPath.init)
        }
        return tags
    }

    /// The path of a `Link: </v2/…?last=x&n=100>; rel="next"` header.
    static func nextLink(_ header: String?) -> String? {
        guard let header, header.contains("rel=\"next\"") || header.contains("rel=next"),
            let open = header.firstIndex(of: "<"), let close = header.firstIndex(of: ">"), open < close
        else { return nil }
        let target = String(header[header.index(after: open)..<close])
        if target.hasPrefix("/") { return target }
        // An absolute URL: keep its path and query only (the origin stays the registry's).
        guard let url = URL(string: target) else { return nil }
        return url.path + (url.query.map { "?\($0)" } ?? "")
    }
}

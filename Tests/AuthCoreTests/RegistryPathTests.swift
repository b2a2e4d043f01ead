import Testing

@testable import AuthCore

/// The distribution API's paths, built in one place.
@Suite struct RegistryPathTests {
    @Test func pathsNameTheirResources() {
        let digest = "sha256:" + String(repeating: "a", count: 64)
        #expect(RegistryPath.base.text == "/v2/")
        #expect(RegistryPath.manifest("library/alpine", "3.20").text == "/v2/library/alpine/manifests/3.20")
        #expect(RegistryPath.blob("team/app", digest).text == "/v2/team/app/blobs/\(digest)")
        #expect(RegistryPath.uploads("team/app").text == "/v2/team/app/blobs/uploads/")
        #expect(RegistryPath.tagsList("team/app", pageSize: 1000).text == "/v2/team/app/tags/list?n=1000")
    }

    @Test func aMountSourceIsEscapedAsAQueryValue() {
        // The source repository's `/` travels in the query, escaped, so the registry reads it as one value.
        let path = RegistryPath.mount("team/app", digest: "sha256:00", from: "other/base")
        #expect(path.text == "/v2/team/app/blobs/uploads/?mount=sha256:00&from=other%2Fbase")
    }

    @Test func anURLJoinsTheOriginAndThePath() {
        let origin = HTTPOrigin(scheme: "http", host: "127.0.0.1", port: 5000)
        #expect(
            RegistryEndpoint.url(origin, .blob("a", "sha256:00")).absoluteString
                == "http://127.0.0.1:5000/v2/a/blobs/sha256:00")
    }
}

import AuthCore
import Foundation
import HTTPTransport
import RegistryVocabulary

/// Pushes small test images to a registry with raw HTTP through `RegistryAuthenticator` (monolithic blob
/// uploads and an OCI manifest), so the tests seed the registries themselves.
package struct RegistrySeeder {
    let auth: RegistryAuthenticator
    let registry: String

    /// A seeder pushing through `auth` to `registry` (`host:port`, plain http).
    package init(auth: RegistryAuthenticator, registry: String) {
        self.auth = auth
        self.registry = registry
    }

    func url(_ path: String) -> URL { URL(string: "http://\(registry)\(path)")! }

    /// The scope a push to `repository` needs.
    package static func pushScope(_ repository: String) -> ScopeSet {
        [.repository(repository, actions: ["pull", "push"])]
    }

    /// Uploads a blob; returns its digest.
    @discardableResult
    package func pushBlob(_ bytes: [UInt8], to repository: String) async throws -> String {
        let digest = SHA256Digest.digest(bytes)
        let start = try await auth.send(
            HTTPRequest(method: .post, url: url("/v2/\(repository)/blobs/uploads/")),
            scopes: Self.pushScope(repository),
            sink: nil)
        guard start.status == 202, let location = start.headers["Location"] else {
            throw RegistryError.from(
                start, operation: RegistryError.Operation(rawValue: "push_blob"), registry: registry,
                authenticated: true)
        }
        let base = URL(string: location, relativeTo: url("/"))!.absoluteString
        var headers = HTTPHeaders()
        headers["Content-Type"] = "application/octet-stream"
        let put = try await auth.send(
            HTTPRequest(
                method: .put, url: URL(string: base + (base.contains("?") ? "&" : "?") + "digest=\(digest)")!,
                headers: headers, body: .bytes(bytes)),
            scopes: Self.pushScope(repository), sink: nil)
        guard put.status == 201 else {
            throw RegistryError.from(
                put, operation: RegistryError.Operation(rawValue: "push_blob"), registry: registry, authenticated: true)
        }
        return digest
    }

    /// Pushes a one-layer OCI image under `tag`; returns the manifest's digest.
    @discardableResult
    package func pushImage(_ repository: String, tag: String, layer: [UInt8] = Array("layer \(UUID())".utf8))
        async throws -> String
    {
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        let configDigest = try await pushBlob(config, to: repository)
        let layerDigest = try await pushBlob(layer, to: repository)
        let manifest = Array(
            """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
            "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\(configDigest)","size":\(config.count)},\
            "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"\(layerDigest)","size":\(layer.count)}]}
            """.utf8)
        var headers = HTTPHeaders()
        headers["Content-Type"] = "application/vnd.oci.image.manifest.v1+json"
        let put = try await auth.send(
            HTTPRequest(
                method: .put, url: url("/v2/\(repository)/manifests/\(tag)"), headers: headers, body: .bytes(manifest)),
            scopes: Self.pushScope(repository), sink: nil)
        guard put.status == 201 else {
            throw RegistryError.from(put, operation: .pushImage, registry: registry, authenticated: true)
        }
        return SHA256Digest.digest(manifest)
    }

    /// `GET` a manifest with the pull scope.
    package static func manifestRequest(_ registry: String, _ repository: String, _ tag: String) -> HTTPRequest {
        var headers = HTTPHeaders()
        headers["Accept"] = "application/vnd.oci.image.manifest.v1+json"
        return HTTPRequest(url: URL(string: "http://\(registry)/v2/\(repository)/manifests/\(tag)")!, headers: headers)
    }
}

/// Reads the token server's per-client request counter.
package enum TokenServerStats {
    /// The token requests the server counted for a client_id.
    package static func tokenRequests(realm: String, clientID: String) async throws -> Int {
        let response = try await CurlHTTPClient().send(
            HTTPRequest(url: URL(string: "\(realm)/stats?client_id=\(clientID)")!))
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return object?["token_requests"] as? Int ?? -1
    }

    /// Makes the next `count` tokens for a client_id go stale at the registry about 3 s after issue.
    package static func expireNext(realm: String, clientID: String, count: Int) async throws {
        _ = try await CurlHTTPClient().send(
            HTTPRequest(url: URL(string: "\(realm)/control?client_id=\(clientID)&expire_next=\(count)")!))
    }
}

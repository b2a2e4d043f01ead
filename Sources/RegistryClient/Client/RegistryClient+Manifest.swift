import AuthCore
import FoundationEssentials
import HTTPTransport

/// A manifest fetched from a registry or mirror, verified against its digest.
public struct FetchedManifest: Sendable {
    /// The document with its exact bytes.
    public let document: ManifestDocument
    /// The digest of the bytes (`sha256:…`).
    public let digest: Digest
    /// The registry or mirror that served it.
    public let source: String
}

extension RegistryClient {
    /// The largest manifest accepted (the OCI distribution spec suggests registries accept at least 4 MiB).
    static let manifestLimit = 4 << 20

    /// The hosts to pull `reference` from: registry.json's mirrors for its registry, in order, then the
    /// registry itself.
    func pullSources(for reference: ImageReference) -> [String] {
        guard options.useMirrors else { return [reference.registry] }
        let mirrors = config.mirrors.first { ServerAddress.matches($0.key, reference.registry) }?.value ?? []
        return mirrors + [reference.registry]
    }

    /// Fetches the manifest or index `reference` names, as served, its digest verified (the digest asked for,
    /// or the registry's `Docker-Content-Digest`). Mirrors are tried first; a mirror that fails or lacks the
    /// image falls through to the next source.
    /// - Throws: `RegistryError` (not found, authentication, network) from the last source tried; `manifest`
    ///   errors for a digest mismatch, schema 1 or an unknown media type.
    public func getManifest(_ reference: ImageReference) async throws -> FetchedManifest {
        let sources = pullSources(for: reference)
        var lastError: (any Error)?
        for (i, source) in sources.enumerated() {
            do {
                return try await fetchManifest(reference, identifier: reference.identifier, from: source)
            } catch {
                lastError = error
                if i < sources.count - 1 {
                    options.warn("mirror \(source) could not serve \(reference.familiarName): \(error); trying \(sources[i + 1])")
                }
            }
        }
        throw lastError!
    }

    /// The single-platform image manifest for `reference` (the original design's `GetImageManifest`): when the
    /// reference names an index, the manifest for `platform` (default: the client's) is chosen and fetched.
    /// - Throws: `RegistryError`; `PlatformError.notFound` (as a `RegistryError` of type manifest) listing
    ///   the platforms the index has.
    public func getImageManifest(_ reference: ImageReference, platform: Platform? = nil) async throws -> ImageManifest {
        try await resolveImage(reference, platform: platform).manifest
    }

    /// An image resolved down to one platform: the top-level document, and the chosen image manifest.
    public struct ResolvedImage: Sendable {
        /// What the reference names (an index or an image manifest).
        public let top: FetchedManifest
        /// The image manifest for the platform.
        public let image: FetchedManifest
        /// The image manifest parsed.
        public let manifest: ImageManifest
        /// The descriptor of `image` (from the index, with its platform; or made for a plain manifest).
        public let descriptor: Descriptor
    }

    /// Resolves `reference` to the image manifest for `platform`. A single-platform image is checked against an
    /// explicitly given `platform` (`verifyPlatform`).
    public func resolveImage(_ reference: ImageReference, platform: Platform? = nil) async throws -> ResolvedImage {
        let top = try await getManifest(reference)
        switch top.document.content {
        case .image(let manifest):
            if let platform { try await verifyPlatform(platform, of: manifest, reference: reference, source: top.source, operation: "pull_image") }
            let descriptor = Descriptor(mediaType: top.document.mediaType, digest: top.digest.description, size: Int64(top.document.bytes.count))
            return ResolvedImage(top: top, image: top, manifest: manifest, descriptor: descriptor)
        case .index(let index):
            let wanted = platform ?? options.platform
            let chosen: Descriptor
            do {
                chosen = try PlatformSelector.select(wanted, from: index, reference: reference.familiarName)
            } catch {
                throw RegistryError(.manifest, operation: "pull_image", registry: reference.registry, message: "\(error)", cause: error)
            }
            explain("\(reference.familiarName): \(wanted) is \(chosen.digest)")
            let image = try await fetchManifest(reference, identifier: chosen.digest, from: top.source)
            guard case .image(let manifest) = image.document.content else {
                throw RegistryError(.manifest, operation: "pull_image", registry: reference.registry, message: "the index entry \(chosen.digest) for \(wanted) is not an image manifest")
            }
            return ResolvedImage(top: top, image: image, manifest: manifest, descriptor: chosen)
        }
    }

    /// Fetches one manifest by tag or digest from one source.
    func fetchManifest(_ reference: ImageReference, identifier: String, from source: String) async throws -> FetchedManifest {
        let session = try await session(for: source, repository: reference.repository, operation: "pull_image")
        var headers = HTTPHeaders()
        headers.add("Accept", MediaType.acceptedManifests.joined(separator: ", "))
        let url = session.url("/v2/\(reference.repository)/manifests/\(identifier)")
        let response = try await perform(session, operation: "pull_image", scopes: [Scope.repository(reference.repository, actions: ["pull"])]) {
            HTTPRequest(url: url, headers: headers, maximumBufferedBody: Self.manifestLimit, timeout: 120)
        }
        let bytes = response.body
        let hash = SHA256Digest()
        hash.update(bytes)
        let actual = try Digest(hash.finish())
        let registry = session.displayName
        if identifier.contains(":") {
            let expected: Digest
            do { expected = try Digest(identifier) } catch { throw RegistryError(.validation, operation: "pull_image", registry: registry, message: "\(error)") }
            guard expected.algorithm == "sha256" else {
                throw RegistryError(.validation, operation: "pull_image", registry: registry, message: "cannot verify a \(expected.algorithm) digest; only sha256 is supported")
            }
            guard expected == actual else {
                throw RegistryError(.manifest, operation: "pull_image", registry: registry, message: "\(ManifestError.digestMismatch(expected: expected.description, actual: actual.description))")
            }
        } else if let advertised = response.headers["Docker-Content-Digest"], advertised.hasPrefix("sha256:"), advertised != actual.description {
            throw RegistryError(.manifest, operation: "pull_image", registry: registry, message: "\(ManifestError.digestMismatch(expected: advertised, actual: actual.description))")
        }
        do {
            let document = try ManifestDocument(bytes: bytes, contentType: response.headers["Content-Type"])
            return FetchedManifest(document: document, digest: actual, source: source)
        } catch {
            throw RegistryError(.manifest, operation: "pull_image", registry: registry, message: "\(reference.familiarName): \(error)", cause: error)
        }
    }
}

import AuthCore
import FoundationEssentials
import HTTPTransport
import RegistryVocabulary

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
                return try await fetchManifest(reference, from: source)
            } catch {
                lastError = error
                if i < sources.count - 1 {
                    options.warn("mirror \(source) could not serve \(reference): \(error); trying \(sources[i + 1])")
                }
            }
        }
        throw lastError!
    }

    /// The single-platform image manifest for `reference` (the Go package's `GetImageManifest`): when the
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
            if let platform {
                try await verifyPlatform(
                    platform, of: manifest, reference: reference, source: top.source, operation: .pullImage)
            }
            let descriptor = Descriptor(
                mediaType: top.document.mediaType, digest: top.digest.description, size: Int64(top.document.bytes.count)
            )
            return ResolvedImage(top: top, image: top, manifest: manifest, descriptor: descriptor)
        case .index(let index):
            let wanted = platform ?? options.platform
            let chosen: Descriptor
            do {
                chosen = try PlatformSelector.select(wanted, from: index, reference: reference.familiarName)
            } catch {
                throw RegistryError(
                    .manifest, operation: .pullImage, registry: reference.registry, message: "\(error)", cause: error)
            }
            explain("\(reference.familiarName): \(wanted) is \(chosen.digest)")
            let image = try await fetchManifest(reference, descriptor: chosen, from: top.source)
            guard case .image(let manifest) = image.document.content else {
                throw RegistryError(
                    .manifest, operation: .pullImage, registry: reference.registry,
                    message: "the index entry \(chosen.digest) for \(wanted) is not an image manifest")
            }
            return ResolvedImage(top: top, image: image, manifest: manifest, descriptor: chosen)
        }
    }

    /// Fetches what `reference` names (its digest, else its tag) from one source.
    func fetchManifest(_ reference: ImageReference, from source: String) async throws -> FetchedManifest {
        if let digest = reference.digest {
            try requireVerifiable(digest, registry: reference.registry)
            return try await fetchManifest(reference, path: digest.description, pinned: digest, size: nil, from: source)
        }
        return try await fetchManifest(reference, path: reference.tag ?? "latest", pinned: nil, size: nil, from: source)
    }

    /// Fetches the manifest a descriptor (an index entry) names. Its digest is parsed before any URL is built,
    /// so an entry whose "digest" is a tag or anything else cannot fetch mutable content, and the bytes must
    /// match both its digest and its size.
    /// - Throws: `RegistryError` (manifest) for an invalid digest, (validation) for an algorithm other than
    ///   sha256, and (manifest) for a mismatch.
    func fetchManifest(_ reference: ImageReference, descriptor: Descriptor, from source: String) async throws
        -> FetchedManifest
    {
        let digest = try pinnedDigest(descriptor, of: reference, operation: .pullImage)
        return try await fetchManifest(
            reference, path: digest.description, pinned: digest, size: descriptor.size, from: source)
    }

    /// The digest of a descriptor a registry sent, validated and verifiable.
    func pinnedDigest(_ descriptor: Descriptor, of reference: ImageReference, operation: RegistryError.Operation) throws
        -> Digest
    {
        let digest: Digest
        do { digest = try descriptor.parsedDigest() } catch {
            throw RegistryError(
                .manifest, operation: operation, registry: reference.registry,
                message:
                    "\(reference.familiarName) names content by \"\(TerminalText.sanitized(descriptor.digest))\", which is not a digest (\(error)); refusing to fetch it, because only a digest pins content"
            )
        }
        try requireVerifiable(digest, registry: reference.registry)
        return digest
    }

    /// Refuses a digest this client cannot check (only sha256 is computed).
    func requireVerifiable(_ digest: Digest, registry: String) throws {
        guard digest.algorithm == "sha256" else {
            throw RegistryError(
                .validation, operation: .pullImage, registry: registry,
                message: "cannot verify \(digest.algorithm) digest \(digest): only sha256 is supported")
        }
    }

    /// Fetches one manifest from one source. With `pinned`, the bytes must hash to it; a sha256
    /// `Docker-Content-Digest` must match them too; with `size`, no more is read and the length must match.
    private func fetchManifest(
        _ reference: ImageReference, path identifier: String, pinned: Digest?, size: Int64?, from source: String
    ) async throws -> FetchedManifest {
        let session = try await session(for: source, repository: reference.repository, operation: .pullImage)
        var headers = HTTPHeaders()
        headers.add("Accept", MediaType.acceptedManifests.joined(separator: ", "))
        let url = session.url(.manifest(reference.repository, identifier))
        let registry = session.displayName
        if let size, size < 0 || size > Int64(Self.manifestLimit) {
            throw RegistryError(
                .manifest, operation: .pullImage, registry: registry,
                message:
                    "manifest \(identifier) is said to be \(size) bytes; at most \(Self.manifestLimit) are accepted")
        }
        // Reading stops at the declared size: a longer body fails there.
        let sink = ManifestBodySink(limit: size.map { Int($0) } ?? Self.manifestLimit)
        let response: HTTPResponse
        do {
            response = try await perform(
                session, operation: .pullImage, scopes: [Scope.repository(reference.repository, actions: ["pull"])],
                sink: sink,
                beforeRetry: { _ in sink.reset() },
                make: { HTTPRequest(url: url, headers: headers, timeout: 120) }
            )
        } catch let error as RegistryError where error.type == .notFound {
            // Name what was looked up in full: `alpine` typed by the user is `docker.io/library/alpine:latest`.
            let separator = identifier.contains(":") ? "@" : ":"
            throw RegistryError(
                .notFound, operation: error.operation, registry: error.registry,
                message:
                    "\(reference.registry)/\(reference.repository)\(separator)\(identifier) not found: \(error.message)",
                cause: error, code: error.code, status: error.status)
        } catch is ManifestTooLarge {
            throw RegistryError(
                .manifest, operation: .pullImage, registry: registry,
                message:
                    "manifest \(identifier) is more than the \(sink.limit) bytes \(size == nil ? "accepted" : "the index says"); refusing it"
            )
        }
        let bytes = sink.bytes
        if let size, bytes.count != size {
            throw RegistryError(
                .manifest, operation: .pullImage, registry: registry,
                message: "manifest \(identifier) is \(bytes.count) bytes, the index says \(size); refusing it")
        }
        let hash = SHA256Digest()
        hash.update(bytes)
        let actual = try Digest(hash.finish())
        if let pinned, pinned != actual {
            throw RegistryError(
                .manifest, operation: .pullImage, registry: registry,
                message: "\(ManifestError.digestMismatch(expected: pinned.description, actual: actual.description))")
        }
        if let advertised = response.headers["Docker-Content-Digest"], advertised.hasPrefix("sha256:"),
            advertised != actual.description
        {
            throw RegistryError(
                .manifest, operation: .pullImage, registry: registry,
                message:
                    "the Docker-Content-Digest of \(identifier) says \(TerminalText.sanitized(advertised)): \(ManifestError.digestMismatch(expected: TerminalText.sanitized(advertised), actual: actual.description))"
            )
        }
        do {
            let document = try ManifestDocument(bytes: bytes, contentType: response.headers["Content-Type"])
            return FetchedManifest(document: document, digest: actual, source: source)
        } catch {
            throw RegistryError(
                .manifest, operation: .pullImage, registry: registry, message: "\(reference.familiarName): \(error)",
                cause: error)
        }
    }
}

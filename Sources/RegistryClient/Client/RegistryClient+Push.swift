import AuthCore
import FoundationEssentials
import RegistryVocabulary

/// What a push or copy did.
public struct PushResult: Sendable {
    /// The destination.
    public let reference: ImageReference
    /// The digest of the top-level manifest or index pushed (identical to the source's).
    public let digest: String
    /// The media type of what the tag now names.
    public let mediaType: String
    /// Blobs uploaded.
    public let uploaded: Int
    /// Blobs mounted from another repository.
    public let mounted: Int
    /// Blobs the registry already had.
    public let existed: Int
    /// Bytes uploaded.
    public let bytes: Int64
}

/// Where a push finds its content: an OCI layout, or blobs already in the cache (copy).
struct PushContent: Sendable {
    /// The top-level manifest or index.
    let top: ManifestBytes
    /// The image manifests (for an index: each child; for an image: itself), bytes and parsed.
    let images: [ImageContent]
    /// The local file of a blob.
    let file: @Sendable (Digest) throws -> String
    /// Repositories of the destination registry known to hold a blob.
    let mountCandidates: @Sendable (Digest) -> [String]
    /// Where blobs without a local file are streamed from (a copy), or nil.
    var stream: StreamSource? = nil
}

extension RegistryClient {
    /// Pushes an image from an OCI image layout (ours or skopeo's) to `reference` (the Go package's
    /// `PushImage`, extended: a push needs the blobs, not only the manifest, so it takes the layout that holds
    /// them). Blobs first (HEAD to skip what the registry has, a mount when the blob is known to live in
    /// another repository of the same registry, else an upload), then the image manifests, then the index,
    /// and the tag last, so a failed push leaves no half-pushed tag.
    /// - Parameters:
    ///   - directory: the layout.
    ///   - name: the `org.opencontainers.image.ref.name` to push when the layout holds several images.
    /// - Throws: `LayoutError`, `RegistryError`.
    public func push(
        layout directory: String, name: String? = nil, to reference: ImageReference,
        progress: any ProgressReporter = SilentProgress()
    ) async throws -> PushResult {
        let layout = OCILayout(path: directory)
        let descriptor = try layout.descriptor(named: name)
        let (bytes, digest) = try layout.verifiedManifest(descriptor)
        let document: ManifestDocument
        do { document = try ManifestDocument(bytes: bytes, contentType: descriptor.mediaType) } catch {
            throw LayoutError.malformed("\(directory): the manifest \(digest) is not usable: \(error)")
        }
        var images: [ImageContent] = []
        switch document.content {
        case .image(let manifest):
            images = [ImageContent(document, digest: digest, manifest: manifest)]
        case .index(let index):
            for entry in index.manifests {
                let (childBytes, childDigest) = try layout.verifiedManifest(entry)
                let child = try ManifestDocument(bytes: childBytes, contentType: entry.mediaType)
                guard case .image(let manifest) = child.content else {
                    throw LayoutError.malformed("\(directory): nested indexes are not supported (\(entry.digest))")
                }
                images.append(ImageContent(child, digest: childDigest, manifest: manifest))
            }
        }
        let origins = cache.origins(in: ServerAddress.host(of: reference.registry))
        var sizes: [Digest: Int64] = [:]
        for image in images {
            for blob in [image.manifest.config] + image.manifest.layers {
                if let blobDigest = try? blob.parsedDigest() { sizes[blobDigest] = blob.size }
            }
        }
        let content = PushContent(
            top: ManifestBytes(document, digest: digest), images: images,
            file: { [sizes] digest in
                guard layout.hasBlob(digest), let size = sizes[digest] else {
                    throw LayoutError.missingBlob(digest.description, directory)
                }
                return try layout.blobForUpload(digest, size: size)
            },
            mountCandidates: { origins.repositories(holding: $0) })
        return try await push(content, to: reference, progress: progress)
    }

    /// Copies an image between repositories or registries, digests preserved (`ossb-registry copy`). Blobs the
    /// destination has are skipped and blobs in another of its repositories are mounted (within one registry,
    /// nothing is transferred). A blob already in the verified cache is uploaded from there; every other blob
    /// streams from the source's response into the destination's upload as it arrives, its digest checked on
    /// the way, so a blob whose content does not match is never stored. Memory use does not depend on blob
    /// size, and streamed blobs are not written to the cache unless `fillCache` is set. A stream that breaks
    /// off is transferred again through the cache.
    /// - Parameters:
    ///   - allPlatforms: copy the whole index; otherwise an index is reduced to `platform`'s image.
    ///   - fillCache: also keep each streamed blob in the blob cache (`copy --cache`), for a later pull or
    ///     push of the same content.
    public func copy(
        from source: ImageReference, to destination: ImageReference, platform: Platform? = nil,
        allPlatforms: Bool = false, fillCache: Bool = false,
        progress: any ProgressReporter = SilentProgress()
    ) async throws -> PushResult {
        let top = try await getManifest(source)
        var images: [ImageContent] = []
        var root = ManifestBytes(top.document, digest: top.digest)
        switch top.document.content {
        case .image(let manifest):
            if let platform {
                try await verifyPlatform(
                    platform, of: manifest, reference: source, source: top.source, operation: .copy)
            }
            images = [ImageContent(top.document, digest: top.digest, manifest: manifest)]
        case .index(let index):
            if allPlatforms {
                for entry in index.manifests {
                    let child = try await fetchManifest(source, descriptor: entry, from: top.source)
                    guard case .image(let manifest) = child.document.content else {
                        throw RegistryError(
                            .manifest, operation: .copy, registry: source.registry,
                            message: "nested indexes are not supported (\(entry.digest))")
                    }
                    images.append(ImageContent(child.document, digest: child.digest, manifest: manifest))
                }
            } else {
                let resolved = try await resolveImage(source, platform: platform)
                images = [
                    ImageContent(resolved.image.document, digest: resolved.image.digest, manifest: resolved.manifest)
                ]
                root = images[0].stored
            }
        }
        let sameRegistry = ServerAddress.matches(source.registry, destination.registry)
        let sources = [top.source] + pullSources(for: source).filter { $0 != top.source }
        let cache = self.cache
        let origins = cache.origins(in: ServerAddress.host(of: destination.registry))
        let content = PushContent(
            top: root, images: images,
            file: { digest in
                if let path = cache.lookup(digest) { return path }
                throw RegistryError(
                    .blob, operation: .copy, registry: source.registry, message: "blob \(digest) is not in the cache")
            },
            mountCandidates: { digest in
                (sameRegistry ? [source.repository] : [])
                    + origins.repositories(holding: digest)
            },
            stream: StreamSource(reference: source, registry: top.source, fillsCache: fillCache))
        return try await push(
            content, to: destination, progress: progress,
            fetchMissing: { [self] digest, size in
                try await fetchBlob(source, digest: digest, size: size, sources: sources, progress: SilentProgress())
            })
    }

    /// Pushes content: blobs (in parallel, bounded), image manifests by digest, then the top level under the tag.
    func push(
        _ content: PushContent, to reference: ImageReference, progress: any ProgressReporter,
        fetchMissing: (@Sendable (Digest, Int64) async throws -> String)? = nil
    ) async throws -> PushResult {
        let session = try await session(
            for: reference.registry, repository: reference.repository, operation: .pushImage)
        let outcomes = try await pushBlobs(
            of: content, session, to: reference, progress: progress, fetchMissing: fetchMissing)
        try await pushManifests(of: content, session, to: reference)
        return PushResult(reference: reference, top: content.top, outcomes: outcomes)
    }

    /// Uploads (or finds, or mounts) every blob the content's images name; returns each blob's outcome and size.
    private func pushBlobs(
        of content: PushContent, _ session: RegistrySession, to reference: ImageReference,
        progress: any ProgressReporter,
        fetchMissing: (@Sendable (Digest, Int64) async throws -> String)?
    ) async throws -> [(BlobUploadOutcome, Int64)] {
        let blobs = transferableBlobs(of: content.images.map(\.manifest))
        let pairs = try blobsWithDigests(blobs, operation: .pushImage, registry: reference.registry)
        return try await transferConcurrently(pairs) { blob, digest in
            // A blob the registry has or can mount needs no local file (a copy within a registry); one without a
            // local file streams from the copy's source.
            let local = try? content.file(digest)
            let obtain: @Sendable () async throws -> String = {
                if let local { return local }
                if let path = try? content.file(digest) { return path }
                if let fetchMissing { return try await fetchMissing(digest, blob.size) }
                return try content.file(digest)
            }
            let outcome = try await self.uploadBlob(
                session, repository: reference.repository, digest: digest, size: blob.size, file: obtain,
                stream: local == nil ? content.stream : nil, mountCandidates: content.mountCandidates(digest),
                progress: progress)
            return (outcome, blob.size)
        }
    }

    /// Puts the manifests once their blobs are there: an index's image manifests by digest before the index that
    /// names them, and the tag last, so that until then nothing names the new content.
    private func pushManifests(of content: PushContent, _ session: RegistrySession, to reference: ImageReference)
        async throws
    {
        if MediaType.indexes.contains(content.top.mediaType) {
            for image in content.images {
                try await putManifest(
                    session, repository: reference.repository, reference: image.stored.digest.description,
                    bytes: image.stored.bytes, mediaType: image.stored.mediaType)
            }
        }
        try await putManifest(
            session, repository: reference.repository, reference: reference.tag ?? content.top.digest.description,
            bytes: content.top.bytes, mediaType: content.top.mediaType)
    }
}

extension PushResult {
    /// The result of a push that put `top` and transferred blobs with these outcomes and sizes.
    init(reference: ImageReference, top: ManifestBytes, outcomes: [(BlobUploadOutcome, Int64)]) {
        var uploaded = 0
        var mounted = 0
        var existed = 0
        var bytes: Int64 = 0
        for (outcome, size) in outcomes {
            switch outcome {
            case .existed: existed += 1
            case .mounted: mounted += 1
            case .uploaded:
                uploaded += 1
                bytes += size
            }
        }
        self.init(
            reference: reference, digest: top.digest.description, mediaType: top.mediaType,
            uploaded: uploaded, mounted: mounted, existed: existed, bytes: bytes)
    }
}

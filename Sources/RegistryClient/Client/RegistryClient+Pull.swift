import AuthCore
import FoundationEssentials
import Glibc
import RegistryVocabulary

/// What `pull` wrote.
public struct PullResult: Sendable {
    /// The reference pulled.
    public let reference: ImageReference
    /// The descriptor written to `index.json` (the platform's image manifest, or the index).
    public let descriptor: Descriptor
    /// The registry's digest of the image or index when it was converted from Docker's format to OCI (then
    /// `descriptor` names the converted document); `nil` when the layout holds the registry's bytes.
    public let convertedFrom: String?
    /// The platforms written.
    public let platforms: [Platform]
    /// Blobs written (configs and layers, all platforms).
    public let blobs: Int
    /// Of those, how many were already in the cache.
    public let cachedBlobs: Int
    /// Bytes of config and layer blobs.
    public let bytes: Int64
    /// The registry or mirror the manifest came from.
    public let source: String
}

extension RegistryClient {
    /// Pulls an image into the blob cache and returns its manifest for `platform` (the Go package's
    /// `PullImage`). Layers are downloaded in parallel, each verified before it is cached.
    public func pullImage(
        _ reference: ImageReference, platform: Platform? = nil, progress: any ProgressReporter = SilentProgress()
    ) async throws -> ImageManifest {
        let resolved = try await resolveImage(reference, platform: platform)
        _ = try await fetchBlobs(
            transferableBlobs(of: [resolved.manifest]), of: reference, source: resolved.top.source, progress: progress)
        return resolved.manifest
    }

    /// Pulls an image into an OCI image layout at `directory` (`oci-layout`, `blobs/sha256/`, and `index.json`),
    /// adding its descriptor, annotated with the tag, to the images the layout already holds (one of the same
    /// name is replaced).
    ///
    /// Docker schema 2 manifests and manifest lists are converted to OCI (`OCIConversion`) unless
    /// `preserveDigests` is set: the `oci:` transports of skopeo, podman and buildah, and umoci, open an image by
    /// tag only when it has OCI media types.
    /// - Parameters:
    ///   - platform: the platform to pull from an index (default: the client's).
    ///   - allPlatforms: pull the whole index, every platform, and point `index.json` at the index.
    ///   - preserveDigests: keep the registry's manifest bytes (and digests) even when they are Docker's format.
    ///   - cacheBlobs: keep every downloaded blob in the blob cache too (the default), so a later pull or push of it
    ///     transfers nothing. `false` writes each downloaded blob only into the layout, the one durable copy a
    ///     one-off pull of a large image needs (half the writes); nothing is written under the cache directory,
    ///     while blobs already cached are still copied from it.
    /// - Throws: `RegistryError`, `LayoutError`.
    public func pull(
        _ reference: ImageReference, to directory: String, platform: Platform? = nil, allPlatforms: Bool = false,
        preserveDigests: Bool = false, cacheBlobs: Bool = true, progress: any ProgressReporter = SilentProgress()
    ) async throws -> PullResult {
        // A directory this pull creates is removed again if the pull fails or is interrupted, so a failure leaves
        // no half-written layout. An existing layout only gains verified blobs until index.json names them.
        let created = access(directory, F_OK) != 0
        if created { InterruptCleanup.register(directory) }
        defer { if created { InterruptCleanup.unregister(directory) } }
        do {
            return try await pull(
                reference, into: OCILayout(path: directory), platform: platform, allPlatforms: allPlatforms,
                preserveDigests: preserveDigests, cacheBlobs: cacheBlobs, progress: progress)
        } catch {
            // Unless another pull into the same new directory has meanwhile completed (index.json names it).
            if created && access("\(directory)/index.json", F_OK) != 0 { FileTree.remove(directory) }
            throw error
        }
    }

    private func pull(
        _ reference: ImageReference, into layout: OCILayout, platform: Platform?, allPlatforms: Bool,
        preserveDigests: Bool, cacheBlobs: Bool, progress: any ProgressReporter
    ) async throws -> PullResult {
        try layout.create()
        BlobCache.removeStaleCopies(in: "\(layout.path)/blobs/sha256")
        let top = try await getManifest(reference)
        let (images, topDescriptor, topIndex) = try await pulledImages(
            of: top, reference, platform: platform, allPlatforms: allPlatforms)
        let blobs = transferableBlobs(of: images.map(\.manifest))
        let (cachedCount, bytes) = try await fetchBlobs(
            blobs, of: reference, source: top.source, progress: progress, into: layout, cacheBlobs: cacheBlobs)
        // Manifests are written after the blobs they name, and index.json last: whatever index.json lists is complete.
        var descriptor = try writeManifests(
            images, top: top, topDescriptor: topDescriptor, topIndex: topIndex, into: layout,
            preserveDigests: preserveDigests)
        if let tag = reference.tag {
            descriptor.annotations = (descriptor.annotations ?? [:]).merging([OCILayout.refNameAnnotation: tag]) { $1 }
        }
        try layout.add(descriptor)
        return PullResult(
            reference: reference, descriptor: descriptor,
            convertedFrom: descriptor.digest == topDescriptor.digest ? nil : topDescriptor.digest,
            platforms: images.map { $0.descriptor.platform ?? PlatformSelector.implicitPlatform }, blobs: blobs.count,
            cachedBlobs: cachedCount, bytes: bytes, source: top.source)
    }

    /// The image manifests a pull writes: the image itself, every platform's of an index (`allPlatforms`), or the
    /// one chosen for `platform`; with the descriptor `index.json` will name and the index when it is kept whole.
    private func pulledImages(
        of top: FetchedManifest, _ reference: ImageReference, platform: Platform?, allPlatforms: Bool
    ) async throws -> (images: [PulledImage], topDescriptor: Descriptor, topIndex: ImageIndex?) {
        let topDescriptor = Descriptor(
            mediaType: top.document.mediaType, digest: top.digest.description, size: Int64(top.document.bytes.count))
        switch top.document.content {
        case .image(let manifest):
            if let platform {
                try await verifyPlatform(
                    platform, of: manifest, reference: reference, source: top.source, operation: .pullImage)
            }
            return ([PulledImage(descriptor: topDescriptor, fetched: top, manifest: manifest)], topDescriptor, nil)
        case .index(let index) where allPlatforms:
            // Fetched like blobs, a few at a time (an index may list dozens of platforms), then put back in the
            // index's order.
            let fetched = try await transferConcurrently(Array(index.manifests.enumerated())) { i, entry in
                (i, entry, try await self.fetchManifest(reference, descriptor: entry, from: top.source))
            }
            let images = try fetched.sorted { $0.0 < $1.0 }.map { _, descriptor, fetched in
                guard case .image(let manifest) = fetched.document.content else {
                    throw RegistryError(
                        .manifest, operation: .pullImage, registry: reference.registry,
                        message: "nested indexes are not supported (\(descriptor.digest))")
                }
                return PulledImage(descriptor: descriptor, fetched: fetched, manifest: manifest)
            }
            return (images, topDescriptor, index)
        case .index:
            let resolved = try await resolveImage(reference, platform: platform)
            return (
                [PulledImage(descriptor: resolved.descriptor, fetched: resolved.image, manifest: resolved.manifest)],
                resolved.descriptor, nil
            )
        }
    }

    /// Writes the image manifests and the index (when kept whole) into the layout, converted to OCI unless
    /// `preserveDigests`; returns the descriptor for `index.json`.
    private func writeManifests(
        _ images: [PulledImage], top: FetchedManifest, topDescriptor: Descriptor, topIndex: ImageIndex?,
        into layout: OCILayout,
        preserveDigests: Bool
    ) throws -> Descriptor {
        var replacements: [String: Descriptor] = [:]
        for image in images {
            if !preserveDigests,
                let converted = try OCIConversion.convert(
                    image.manifest, mediaType: image.fetched.document.mediaType, original: image.descriptor)
            {
                try layout.writeBlob(converted.bytes, digest: try converted.descriptor.parsedDigest())
                replacements[image.descriptor.digest] = converted.descriptor
            } else {
                try layout.writeBlob(image.fetched.document.bytes, digest: image.fetched.digest)
            }
        }
        guard let topIndex else { return replacements[topDescriptor.digest] ?? topDescriptor }
        if !preserveDigests,
            let converted = try OCIConversion.convert(
                topIndex, mediaType: top.document.mediaType, original: topDescriptor, replacements: replacements)
        {
            try layout.writeBlob(converted.bytes, digest: try converted.descriptor.parsedDigest())
            return converted.descriptor
        }
        try layout.writeBlob(top.document.bytes, digest: top.digest)
        return replacements[topDescriptor.digest] ?? topDescriptor
    }

    /// The config and layer blobs of `manifests`, each once, foreign layers left out: they are not served by the
    /// registry, so (as skopeo does) they are not transferred, their descriptors stay in the manifests, and one
    /// warning says so.
    func transferableBlobs(of manifests: [ImageManifest]) -> [Descriptor] {
        var blobs: [Descriptor] = []
        var foreign: [Descriptor] = []
        var seen = Set<String>()
        for manifest in manifests {
            for blob in [manifest.config] + manifest.layers where seen.insert(blob.digest).inserted {
                if blob.isForeign { foreign.append(blob) } else { blobs.append(blob) }
            }
        }
        if !foreign.isEmpty {
            // Only validated digests are shown: the rest of a descriptor is the registry's text.
            let digests = foreign.compactMap { try? $0.parsedDigest().description }.prefix(3).joined(separator: ", ")
            let count = foreign.count == 1 ? "1 foreign layer" : "\(foreign.count) foreign layers"
            options.warn(
                "not transferring \(count) (\(digests)): registries do not serve them; the manifest keeps their descriptors and a runtime downloads them from their URLs"
            )
        }
        return blobs
    }

    /// Fetches blobs in parallel, at most `maxConcurrentTransfers` at once, into the cache and (optionally) a
    /// layout. Returns how many were cached already and the total bytes.
    ///
    /// In three steps: every missing blob is downloaded and verified, beside its name in the layout (into the
    /// cache's `tmp/` without one), and blobs the cache holds are copied beside their names; one
    /// `DurabilityPass` makes all those files durable; then each is renamed under its digest's name. A power cut
    /// at any point leaves no partial blob under a digest's name, and 200 blobs cost one sync, not 200. The
    /// cache then keeps each download as a second name of the layout's file (`BlobCache.fill(from:as:)`), so
    /// every byte is written and synced once. When a download fails, the blobs already verified are still placed
    /// (a retry does not download them again); a cancelled pull (Ctrl-C) discards them to exit at once.
    ///
    /// A blob the layout already holds verified is kept, not downloaded; the cache takes it too when it lacks it.
    /// Without `cacheBlobs` (only with a layout) the cache is only read: no `tmp/`, no origins, no verification
    /// stamps.
    func fetchBlobs(
        _ blobs: [Descriptor], of reference: ImageReference, source: String, progress: any ProgressReporter,
        into layout: OCILayout? = nil, cacheBlobs: Bool = true
    ) async throws -> (cached: Int, bytes: Int64) {
        let sources = [source] + pullSources(for: reference).filter { $0 != source }
        let pairs = try blobsWithDigests(blobs, operation: .pullImage, registry: reference.registry)
        let batch = BlobBatch(cache: cache, layout: layout)
        var missing: [(blob: Descriptor, digest: Digest)] = []
        // Blobs the layout already holds, verified, that the cache lacks: it takes them from the layout.
        var kept: [Digest] = []
        var cachedCount = 0
        do {
            for (blob, digest) in pairs {
                if let cached = cachedBlob(
                    reference, digest: digest, size: blob.size, progress: progress, recordingOrigin: false)
                {
                    cachedCount += 1
                    if cacheBlobs {
                        batch.addOrigin(
                            BlobOrigin(
                                digest, registry: ServerAddress.host(of: reference.registry),
                                repository: reference.repository))
                    }
                    if let layout {
                        try stageCopy(of: digest, size: blob.size, from: cached, into: layout, batch: batch, reference)
                    }
                } else if let layout, let file = layout.verifiedBlobFile(digest, size: blob.size) {
                    progress.finished(String(digest.encoded.prefix(12)), cached: true)
                    if cacheBlobs {
                        kept.append(digest)
                        batch.addKept(
                            StagedBlob(
                                digest: digest, temporary: layout.blobPath(digest), file: file,
                                registry: ServerAddress.host(of: reference.registry),
                                repository: reference.repository))
                    }
                } else {
                    missing.append((blob, digest))
                }
            }
            if !(missing.isEmpty && kept.isEmpty) && cacheBlobs {
                try prepareDownloads(of: missing.map(\.digest) + kept, registry: reference.registry)
            }
            _ = try await transferConcurrently(missing) { blob, digest in
                let staged = try await self.stageBlob(
                    reference, digest: digest, size: blob.size, sources: sources, progress: progress, beside: layout)
                if let layout {
                    batch.addCopy(
                        staged.temporary, becoming: layout.blobPath(digest), caching: cacheBlobs ? staged : nil)
                } else {
                    batch.add(staged)
                }
            }
        } catch {
            if Task.isCancelled { batch.discard() } else { try? commit(batch, reference, writingCache: cacheBlobs) }
            throw error
        }
        try commit(batch, reference, writingCache: cacheBlobs)
        return (cachedCount, blobs.reduce(0) { $0 + $1.size })
    }

    /// Copies a verified blob beside its name in the layout, unless the layout already holds it verified.
    private func stageCopy(
        of digest: Digest, size: Int64, from file: String, into layout: OCILayout, batch: BlobBatch,
        _ reference: ImageReference
    ) throws {
        // A file already there under this name is kept only when it is the blob.
        guard !layout.removeUnverifiedBlob(digest, size: size) else { return }
        let destination = layout.blobPath(digest)
        do {
            batch.addCopy(
                try BlobCache.stageCopy(of: file, beside: destination, mode: OCILayout.fileMode), becoming: destination)
        } catch {
            throw RegistryError(
                .blob, operation: .pullImage, registry: reference.registry,
                message: "cannot write \(digest) into \(layout.path): \(error)")
        }
    }

    /// `BlobBatch.commit`, its failure told as the pull's; blobs the cache could not keep, a warning.
    private func commit(_ batch: BlobBatch, _ reference: ImageReference, writingCache: Bool) throws {
        do {
            guard let (failure, count) = try batch.commit() else { return }
            let blobs = count == 1 ? "1 blob" : "\(count) blobs"
            options.warn(
                "the pull is complete, but \(blobs) could not be kept in the blob cache \(cache.root) (the next pull downloads them again): \(failure)"
            )
        } catch {
            let places = [writingCache ? cache.root : nil, batch.layout?.path].compactMap { $0 }
            throw RegistryError(
                .blob, operation: .pullImage, registry: reference.registry,
                message: "cannot make the pulled blobs durable in \(places.joined(separator: " and ")): \(error)")
        }
    }
}

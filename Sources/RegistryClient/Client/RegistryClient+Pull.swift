import AuthCore
import FoundationEssentials

/// What `pull` wrote.
public struct PullResult: Sendable {
    /// The reference pulled.
    public let reference: ImageReference
    /// The descriptor written to `index.json` (the platform's image manifest, or the index).
    public let descriptor: Descriptor
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
    /// Pulls an image into the blob cache and returns its manifest for `platform` (the original design's
    /// `PullImage`). Layers are downloaded in parallel, each verified before it is cached.
    public func pullImage(_ reference: ImageReference, platform: Platform? = nil, progress: any ProgressReporter = SilentProgress()) async throws -> ImageManifest {
        let resolved = try await resolveImage(reference, platform: platform)
        _ = try await fetchBlobs([resolved.manifest.config] + resolved.manifest.layers, of: reference, source: resolved.top.source, progress: progress)
        return resolved.manifest
    }

    /// Pulls an image into an OCI image layout at `directory` (conventions: `oci-layout`, `blobs/sha256/`, and an
    /// `index.json` with exactly one descriptor, annotated with the tag).
    /// - Parameters:
    ///   - platform: the platform to pull from an index (default: the client's).
    ///   - allPlatforms: pull the whole index, every platform, and point `index.json` at the index.
    /// - Throws: `RegistryError`, `LayoutError`.
    public func pull(
        _ reference: ImageReference, to directory: String, platform: Platform? = nil, allPlatforms: Bool = false,
        progress: any ProgressReporter = SilentProgress()
    ) async throws -> PullResult {
        let layout = OCILayout(path: directory)
        try layout.create()
        let top = try await getManifest(reference)
        var images: [(descriptor: Descriptor, fetched: FetchedManifest, manifest: ImageManifest)] = []
        var topDescriptor = Descriptor(mediaType: top.document.mediaType, digest: top.digest.description, size: Int64(top.document.bytes.count))
        switch top.document.content {
        case .image(let manifest):
            images.append((topDescriptor, top, manifest))
        case .index(let index):
            if allPlatforms {
                try layout.writeBlob(top.document.bytes, digest: top.digest)
                images = try await withThrowingTaskGroup(of: (Int, Descriptor, FetchedManifest).self) { group in
                    for (i, entry) in index.manifests.enumerated() {
                        group.addTask {
                            (i, entry, try await self.fetchManifest(reference, descriptor: entry, from: top.source))
                        }
                    }
                    var found: [(Int, Descriptor, FetchedManifest)] = []
                    for try await item in group { found.append(item) }
                    return try found.sorted { $0.0 < $1.0 }.map { _, descriptor, fetched in
                        guard case .image(let manifest) = fetched.document.content else {
                            throw RegistryError(.manifest, operation: "pull_image", registry: reference.registry, message: "nested indexes are not supported (\(descriptor.digest))")
                        }
                        return (descriptor, fetched, manifest)
                    }
                }
            } else {
                let resolved = try await resolveImage(reference, platform: platform)
                images.append((resolved.descriptor, resolved.image, resolved.manifest))
                topDescriptor = resolved.descriptor
            }
        }
        var blobs: [Descriptor] = []
        var seen = Set<String>()
        for image in images {
            for blob in [image.manifest.config] + image.manifest.layers where seen.insert(blob.digest).inserted {
                blobs.append(blob)
            }
        }
        let (cachedCount, bytes) = try await fetchBlobs(blobs, of: reference, source: top.source, progress: progress, into: layout)
        for image in images {
            try layout.writeBlob(image.fetched.document.bytes, digest: image.fetched.digest)
        }
        var descriptor = topDescriptor
        if let tag = reference.tag {
            descriptor.annotations = (descriptor.annotations ?? [:]).merging([OCILayout.refNameAnnotation: tag]) { $1 }
        }
        // index.json is written last: a layout whose index.json exists is complete.
        try layout.writeIndex([descriptor])
        return PullResult(
            reference: reference, descriptor: descriptor,
            platforms: images.map { $0.descriptor.platform ?? PlatformSelector.implicitPlatform }, blobs: blobs.count,
            cachedBlobs: cachedCount, bytes: bytes, source: top.source)
    }

    /// Fetches blobs in parallel, at most `maxConcurrentTransfers` at once, into the cache and (optionally) a
    /// layout. Returns how many were cached already and the total bytes.
    func fetchBlobs(
        _ blobs: [Descriptor], of reference: ImageReference, source: String, progress: any ProgressReporter,
        into layout: OCILayout? = nil
    ) async throws -> (cached: Int, bytes: Int64) {
        let sources = [source] + pullSources(for: reference).filter { $0 != source }
        let limit = max(1, options.maxConcurrentTransfers)
        var cachedCount = 0
        var bytes: Int64 = 0
        try await withThrowingTaskGroup(of: Bool.self) { group in
            var iterator = blobs.makeIterator()
            func addNext() throws -> Bool {
                guard let blob = iterator.next() else { return false }
                let digest: Digest
                do { digest = try blob.parsedDigest() } catch {
                    throw RegistryError(.manifest, operation: "pull_image", registry: reference.registry, message: "the manifest names an invalid blob digest: \(error)")
                }
                bytes += blob.size
                group.addTask {
                    let wasCached = self.cache.lookup(digest, size: blob.size) != nil
                    let path = try await self.fetchBlob(reference, digest: digest, size: blob.size, sources: sources, progress: progress)
                    if let layout {
                        // A file already there under this name is kept only when it is the blob.
                        layout.removeUnverifiedBlob(digest, size: blob.size)
                        do {
                            try FileIO.makeDirectories(FileIO.directoryName(of: layout.blobPath(digest)), mode: 0o755)
                            try BlobCache.place(path, at: layout.blobPath(digest))
                            // A hard link changes the cached file's change time, which would cost a re-hash
                            // on every later pull; the file was verified a moment ago.
                            self.cache.recordVerified(digest)
                        } catch {
                            throw RegistryError(.blob, operation: "pull_image", registry: reference.registry, message: "cannot write \(digest) into \(layout.path): \(error)")
                        }
                    }
                    return wasCached
                }
                return true
            }
            for _ in 0..<limit { guard try addNext() else { break } }
            while let wasCached = try await group.next() {
                if wasCached { cachedCount += 1 }
                _ = try addNext()
            }
        }
        return (cachedCount, bytes)
    }
}

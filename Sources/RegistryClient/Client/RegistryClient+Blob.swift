import AuthCore
import FoundationEssentials
import Glibc
import RegistryVocabulary

extension RegistryClient {
    /// The verified, cached file holding blob `digest` of `reference`'s repository (the Go package's
    /// `GetBlob`). The blob is streamed to disk with its SHA-256 computed on the way and moved into the cache
    /// only when it matches, so the returned file is always the exact content; a second call costs nothing.
    ///
    /// The original returns a reader; a verified file is returned instead because a stream handed out before
    /// its last byte arrives cannot be verified, and callers would act on unverified content.
    /// - Parameters:
    ///   - size: the size from the descriptor, when known (a longer body is cut off and rejected).
    /// - Throws: `RegistryError` (blob for a digest mismatch, not found, network after retries).
    public func getBlob(
        _ reference: ImageReference, digest: Digest, size: Int64? = nil,
        progress: any ProgressReporter = SilentProgress()
    ) async throws -> String {
        try await fetchBlob(
            reference, digest: digest, size: size, sources: pullSources(for: reference), progress: progress)
    }

    /// Fetches a blob into the cache, trying `sources` in order. A single blob is made durable on its own
    /// (`fdatasync`); `fetchBlobs` batches that for a pull.
    func fetchBlob(
        _ reference: ImageReference, digest: Digest, size: Int64?, sources: [String], progress: any ProgressReporter
    ) async throws -> String {
        if let cached = cachedBlob(reference, digest: digest, size: size, progress: progress) { return cached }
        try prepareDownloads(of: [digest], registry: reference.registry)
        let batch = BlobBatch(cache: cache)
        batch.add(try await stageBlob(reference, digest: digest, size: size, sources: sources, progress: progress))
        do { try batch.commit() } catch {
            throw RegistryError(
                .blob, operation: .pullBlob, registry: reference.registry,
                message: "cannot write blob \(digest) to the blob cache \(cache.root): \(error)")
        }
        return cache.path(for: digest)
    }

    /// The verified cached file for `digest`, reported to `progress` as cached and (unless `recordingOrigin` is
    /// false: a pull that must not write the cache) recorded as living in `reference`'s repository; `nil` when it
    /// must be downloaded.
    func cachedBlob(
        _ reference: ImageReference, digest: Digest, size: Int64?, progress: any ProgressReporter,
        recordingOrigin: Bool = true
    ) -> String? {
        guard let cached = cache.lookup(digest, size: size) else { return nil }
        progress.finished(String(digest.encoded.prefix(12)), cached: true)
        guard recordingOrigin else { return cached }
        cache.recordOrigin(
            digest, registry: ServerAddress.host(of: reference.registry), repository: reference.repository)
        return cached
    }

    /// `BlobCache.prepareDownloads`, its failure told as the blob cache's.
    func prepareDownloads(of digests: [Digest], registry: String) throws {
        do { try cache.prepareDownloads(of: digests) } catch {
            throw RegistryError(
                .blob, operation: .pullBlob, registry: registry,
                message: "cannot write to the blob cache \(cache.root): \(error)")
        }
    }

    /// Downloads a blob into the cache's `tmp/` and verifies it, trying `sources` in order (a mirror that
    /// fails falls back to the next); the result is not durable and not yet under its digest's name.
    /// - Parameters:
    ///   - layout: download beside the blob's name in this layout instead, with the layout's file mode (the
    ///     rename into the layout then stays on one file system).
    func stageBlob(
        _ reference: ImageReference, digest: Digest, size: Int64?, sources: [String], progress: any ProgressReporter,
        beside layout: OCILayout? = nil
    ) async throws -> StagedBlob {
        let label = String(digest.encoded.prefix(12))
        guard digest.algorithm == "sha256" else {
            throw RegistryError(
                .validation, operation: .pullBlob, registry: reference.registry,
                message: "cannot verify \(digest): only sha256 is supported")
        }
        var lastError: (any Error)?
        for (i, source) in sources.enumerated() {
            do {
                let staged = try await download(
                    reference, digest: digest, size: size, from: source, label: label, progress: progress,
                    beside: layout)
                progress.finished(label, cached: false)
                return staged
            } catch {
                lastError = error
                if i < sources.count - 1 {
                    options.warn("mirror \(source) could not serve blob \(digest): \(error); trying \(sources[i + 1])")
                }
            }
        }
        throw lastError!
    }

    private func download(
        _ reference: ImageReference, digest: Digest, size: Int64?, from source: String, label: String,
        progress: any ProgressReporter, beside layout: OCILayout?
    ) async throws -> StagedBlob {
        let session = try await session(for: source, repository: reference.repository, operation: .pullBlob)
        let registry = session.displayName
        let cache = self.cache
        let temporaryPath: @Sendable () -> String = {
            layout.map { BlobCache.temporaryPath(beside: $0.blobPath(digest)) } ?? cache.temporaryPath(for: digest)
        }
        let mode = layout == nil ? 0o600 : OCILayout.fileMode
        let place = layout.map { "the layout \($0.path)" } ?? "the blob cache \(cache.root)"
        let temporary = temporaryPath()
        let sink: ResumableBlobSink
        do {
            let main = try BlobDownloadSink(path: temporary, limit: size, mode: mode) {
                progress.advanced(label, by: $0)
            }
            sink = ResumableBlobSink(main: main) {
                try BlobDownloadSink(path: temporaryPath(), limit: size, mode: mode) {
                    progress.advanced(label, by: $0)
                }
            }
        } catch {
            throw RegistryError(
                .blob, operation: .pullBlob, registry: registry,
                message: "cannot write to \(place): \(error)")
        }
        var verified = false
        defer { if !verified { sink.discard() } }
        progress.started(label, total: size)
        let url = session.url(.blob(reference.repository, digest.description))
        let scopes: ScopeSet = [Scope.repository(reference.repository, actions: ["pull"])]
        let response = try await perform(
            session, operation: .pullBlob, scopes: scopes, sink: sink, beforeRetry: { _ in try sink.prepareRetry() },
            make: {
                var headers = HTTPHeaders()
                if let start = sink.rangeStart { headers.add("Range", "bytes=\(start)-") }
                return HTTPRequest(url: url, headers: headers)
            }
        )
        if sink.rangeStart != nil && response.status != 206 {
            explain("\(registry) ignored the range request for \(digest); using the whole blob it sent again")
        }
        do { try sink.complete(status: response.status) } catch {
            throw RegistryError(
                .blob, operation: .pullBlob, registry: registry,
                message: "cannot assemble blob \(digest) in \(place): \(error)")
        }
        let main = sink.main
        let actual: String
        do { actual = try main.finish() } catch {
            throw RegistryError(
                .blob, operation: .pullBlob, registry: registry,
                message: "cannot write blob \(digest) to \(place): \(error)")
        }
        if let size, main.received != size {
            throw RegistryError(
                .blob, operation: .pullBlob, registry: registry,
                message:
                    "blob \(digest) is \(main.received) bytes, the manifest says \(size); the partial download was discarded"
            )
        }
        guard actual == digest.description else {
            throw RegistryError(
                .blob, operation: .pullBlob, registry: registry,
                message:
                    "blob \(digest) failed verification: its content hashes to \(actual); it was discarded, not cached (the registry's storage may be corrupt)"
            )
        }
        verified = true
        return StagedBlob(
            digest: digest, temporary: temporary, file: main.file, registry: ServerAddress.host(of: source),
            repository: reference.repository)
    }
}

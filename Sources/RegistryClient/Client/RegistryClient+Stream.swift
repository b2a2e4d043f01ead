import AuthCore
import HTTPTransport
import RegistryVocabulary

/// Where a copy streams blobs from.
struct StreamSource: Sendable {
    /// The source repository.
    let reference: ImageReference
    /// The registry (or mirror) that served the manifest.
    let registry: String
    /// Whether each streamed blob is also written into the blob cache (`copy --cache`).
    let fillsCache: Bool
}

extension RegistryClient {
    /// Bytes buffered between a streamed blob's download and its upload. Measured on a copy of 30 layers of
    /// 8 MiB between two local registries: 256 KiB was as fast as 1 MiB and faster than 4 MiB (the registry
    /// receiving the upload is the slow side; the kernel's socket buffers already smooth the flow), and six
    /// transfers at once hold 1.5 MiB.
    static let streamBuffer = 256 << 10

    /// Streams one blob from the source registry straight into an upload to the destination: the source's GET
    /// response feeds the body of the destination's `PUT <location>?digest=` through a `BlobPipe` (a fixed
    /// `streamBuffer`), which checks the SHA-256 and the size on the way and holds back the blob's last byte
    /// until the whole blob arrived and matched, so wrong content never completes an upload; the registry's own
    /// digest check on that PUT is the second guard. Neither the disk nor memory in proportion to the blob is
    /// used, and the upload starts with the first bytes of the download instead of after the last.
    /// - Parameters:
    ///   - location: an upload session already open (a refused mount opens one), else one is opened here.
    /// - Returns: the requests sent to the destination.
    /// - Throws: `RegistryError` when the source's content is wrong (the upload is cancelled, nothing is
    ///   stored); `StreamInterrupted` for any other failure, after which the caller transfers the blob through
    ///   the cache instead.
    func streamBlob(
        _ session: RegistrySession, repository: String, digest: Digest, size: Int64, location: String?,
        from source: StreamSource, meter: UploadMeter
    ) async throws -> Int {
        let scopes: ScopeSet = [Scope.repository(repository, actions: ["pull", "push"])]
        var requests = 0
        var opened = location
        if opened == nil {
            let started = try await perform(session, operation: .pushImage, scopes: scopes) {
                HTTPRequest(method: .post, url: session.url(.uploads(repository)), body: .bytes([]), timeout: 60)
            }
            requests += 1
            opened = started.headers["Location"]
        }
        guard let opened else {
            throw RegistryError(
                .blob, operation: .pushImage, registry: session.displayName,
                message: "\(session.displayName) opened an upload without a Location header")
        }
        let side = try cacheCopy(of: digest, size: size, if: source.fillsCache)
        let pipe = BlobPipe(digest: digest.description, size: size, capacity: Self.streamBuffer) { chunk in
            try side?.write(chunk)
            meter.add(Int64(chunk.count))
        }
        do {
            try await transfer(through: pipe, from: source, digest: digest, to: session, scopes: scopes, at: opened)
        } catch {
            side?.discard()
            await cancelUpload(session, scopes: scopes, at: opened)
            if let content = pipe.failure as? BlobPipeError, content.isContentFailure {
                throw RegistryError(
                    .blob, operation: .copy, registry: source.registry,
                    message:
                        "blob \(digest) from \(source.registry) failed verification: \(content); the upload to \(session.displayName) was cancelled, so it does not hold the blob (the source registry's storage may be corrupt; copy again once it serves the right content)"
                )
            }
            // Interrupted (Ctrl-C): nothing to fall back to.
            if Task.isCancelled { throw error }
            throw StreamInterrupted(cause: error)
        }
        if let side { keepCacheCopy(side, of: digest) }
        // As a pull does: a later copy or push into the source's registry mounts the blob from there.
        cache.recordOrigin(
            digest, registry: ServerAddress.host(of: source.registry), repository: source.reference.repository)
        return requests + 1
    }

    /// Runs the source's GET into the pipe and the destination's PUT out of it at once. Whichever fails first
    /// fails the pipe, which aborts the other at its next callback. A retry that would replay bytes already
    /// through the pipe is refused (`StreamInterrupted` then falls back to the cache).
    private func transfer(
        through pipe: BlobPipe, from source: StreamSource, digest: Digest, to session: RegistrySession,
        scopes: ScopeSet, at location: String
    ) async throws {
        let sourceSession = try await self.session(
            for: source.registry, repository: source.reference.repository, operation: .pullBlob)
        let blobURL = sourceSession.url(.blob(source.reference.repository, digest.description))
        let putURL = try uploadURL(session, location, digest: digest)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    _ = try await self.perform(
                        sourceSession, operation: .pullBlob,
                        scopes: [Scope.repository(source.reference.repository, actions: ["pull"])], sink: pipe.sink,
                        beforeRetry: { _ in if pipe.received > 0 || pipe.failure != nil { throw PipeUsed() } },
                        make: { HTTPRequest(url: blobURL) })
                    pipe.sourceEnded()
                } catch {
                    pipe.fail(error)
                    throw error
                }
            }
            group.addTask {
                do {
                    var headers = HTTPHeaders()
                    headers.add("Content-Type", "application/octet-stream")
                    _ = try await self.perform(
                        session, operation: .pushImage, scopes: scopes,
                        beforeRetry: { _ in if pipe.sent > 0 || pipe.failure != nil { throw PipeUsed() } },
                        make: { HTTPRequest(method: .put, url: putURL, headers: headers, body: .source(pipe.body)) })
                } catch {
                    pipe.fail(error)
                    throw error
                }
            }
            try await group.waitForAll()
        }
    }

    /// Deletes an upload session that will not complete, so the registry drops what it received at once
    /// rather than when it purges stale uploads. Best effort: the session holds no blob either way.
    private func cancelUpload(_ session: RegistrySession, scopes: ScopeSet, at location: String) async {
        guard let url = try? uploadURL(session, location) else { return }
        _ = try? await perform(session, operation: .pushImage, scopes: scopes, accept: [400, 404, 405]) {
            HTTPRequest(method: .delete, url: url, timeout: 30)
        }
    }

    /// A file in the cache that receives a streamed blob on the side (`copy --cache`), or nil.
    private func cacheCopy(of digest: Digest, size: Int64, if wanted: Bool) throws -> BlobDownloadSink? {
        guard wanted else { return nil }
        do {
            try cache.prepareDownloads(of: [digest])
            return try BlobDownloadSink(path: cache.temporaryPath(for: digest), limit: size) { _ in }
        } catch {
            throw RegistryError(
                .blob, operation: .copy, registry: "the blob cache",
                message: "cannot write to the blob cache \(cache.root) (--cache): \(error)")
        }
    }

    /// Moves a streamed blob's side copy into the cache once the blob verified. A failure here does not fail
    /// the copy, which is done: it is reported and the file removed.
    private func keepCacheCopy(_ side: BlobDownloadSink, of digest: Digest) {
        do {
            guard try side.finish() == digest.description else { return side.discard() }
            // Not synced: the destination registry holds the blob; the cache's copy is trusted in this boot only.
            _ = try cache.commit(side.path, as: digest, synced: false)
        } catch {
            side.discard()
            options.warn("blob \(digest) was copied but could not be kept in the cache \(cache.root): \(error)")
        }
    }
}

/// A streamed blob failed for a reason other than its content (a dropped connection, a registry error); the
/// caller transfers it through the cache instead.
struct StreamInterrupted: Error, CustomStringConvertible {
    let cause: any Error
    var description: String { "\(cause)" }
}

/// A retry would send or receive again bytes that already went through the pipe.
private struct PipeUsed: Error, CustomStringConvertible {
    var description: String { "the streamed transfer broke off after it had started" }
}

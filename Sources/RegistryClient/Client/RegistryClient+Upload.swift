import AuthCore
import FoundationEssentials
import RegistryVocabulary

extension RegistryClient {
    /// Uploads one blob to `repository` unless the registry has it or can mount it: streamed from another
    /// registry when `stream` is given (see `streamBlob`), else, or when the stream breaks off, from a local file.
    /// - Parameters:
    ///   - file: produces the local file holding the blob; called only when the blob must be uploaded and no
    ///     stream delivered it.
    ///   - stream: the registry to stream the blob from (a copy), or nil.
    ///   - mountCandidates: repositories of the same registry that hold the blob (a cross-repository mount is
    ///     asked from the first other than `repository`; the registry answers 201 when it mounted, 202 when it
    ///     opened an upload instead).
    /// - Throws: `RegistryError`.
    func uploadBlob(
        _ session: RegistrySession, repository: String, digest: Digest, size: Int64,
        file obtainFile: @Sendable () async throws -> String, stream: StreamSource? = nil, mountCandidates: [String],
        progress: any ProgressReporter
    ) async throws -> BlobUploadOutcome {
        let label = String(digest.encoded.prefix(12))
        let target = Scope.repository(repository, actions: ["pull", "push"])
        let head = try await perform(session, operation: .pushImage, scopes: [target], accept: [404]) {
            HTTPRequest(method: .head, url: session.url(.blob(repository, digest.description)), timeout: 60)
        }
        if head.status == 200 {
            progress.finished(label, cached: true)
            cache.recordOrigin(digest, registry: ServerAddress.host(of: session.displayName), repository: repository)
            return .existed
        }
        let mount = try await mountBlob(session, repository: repository, digest: digest, from: mountCandidates)
        if let source = mount.from {
            progress.finished(label, cached: true)
            return .mounted(from: source)
        }
        var location = mount.location
        let meter = UploadMeter(label: label, progress: progress)
        var requests = 0
        if let stream {
            progress.started(label, total: size)
            do {
                requests = try await streamBlob(
                    session, repository: repository, digest: digest, size: size, location: location, from: stream,
                    meter: meter)
                progress.finished(label, cached: false)
                cache.recordOrigin(
                    digest, registry: ServerAddress.host(of: session.displayName), repository: repository)
                return .uploaded(requests: requests)
            } catch let error as StreamInterrupted {
                explain("streaming \(digest) broke off (\(error)); fetching it into the cache and uploading from there")
                meter.set(to: 0)
                location = nil
            }
        }
        // Only now is the content needed (a copy fetches it into the cache on demand).
        let file = try await obtainFile()
        if stream == nil { progress.started(label, total: size) }
        for attempt in 1...3 {
            do {
                requests += try await upload(
                    session, repository: repository, digest: digest, size: size, file: file, location: location,
                    meter: meter)
                progress.finished(label, cached: false)
                cache.recordOrigin(
                    digest, registry: ServerAddress.host(of: session.displayName), repository: repository)
                return .uploaded(requests: requests)
            } catch let error as UploadSessionLost where attempt < 3 {
                explain("upload of \(digest) lost its session (\(error)); starting a new one")
                meter.set(to: 0)
                location = nil
            }
        }
        throw RegistryError(
            .blob, operation: .pushImage, registry: session.displayName,
            message: "the upload of \(digest) failed three times")
    }

    /// Asks the registry to mount the blob from the first of `candidates` (other repositories of the same
    /// registry known to hold it). A registry that cannot mount opens an upload session instead (202), which the
    /// upload then uses.
    /// - Returns: the repository mounted from, or the location of the upload session opened instead.
    private func mountBlob(
        _ session: RegistrySession, repository: String, digest: Digest, from candidates: [String]
    ) async throws -> (from: String?, location: String?) {
        guard let source = candidates.first(where: { $0 != repository }) else { return (nil, nil) }
        let target = Scope.repository(repository, actions: ["pull", "push"])
        let response = try await perform(
            session, operation: .pushImage, scopes: [target, Scope.repository(source, actions: ["pull"])]
        ) {
            HTTPRequest(
                method: .post, url: session.url(.mount(repository, digest: digest.description, from: source)),
                body: .bytes([]), timeout: 60)
        }
        guard response.status == 201 else { return (nil, response.headers["Location"]) }
        explain("\(digest) mounted from \(source) into \(repository)")
        cache.recordOrigin(digest, registry: ServerAddress.host(of: session.displayName), repository: repository)
        return (source, nil)
    }

    /// One upload session: monolithic PUT for small blobs, PATCH chunks for large ones, resuming from the
    /// offset the registry reports after an interruption. Returns the number of requests sent.
    private func upload(
        _ session: RegistrySession, repository: String, digest: Digest, size: Int64, file: String, location: String?,
        meter: UploadMeter
    ) async throws -> Int {
        let scopes: ScopeSet = [Scope.repository(repository, actions: ["pull", "push"])]
        var location = location
        if location == nil {
            let started = try await perform(session, operation: .pushImage, scopes: scopes) {
                HTTPRequest(method: .post, url: session.url(.uploads(repository)), body: .bytes([]), timeout: 60)
            }
            location = started.headers["Location"]
        }
        guard let opened = location else {
            throw RegistryError(
                .blob, operation: .pushImage, registry: session.displayName,
                message: "\(session.displayName) opened an upload without a Location header")
        }
        // Small blobs go up in one PUT; larger ones in PATCH chunks, so an interrupted upload resumes from the
        // last chunk the registry acknowledged.
        guard size > options.monolithicUploadLimit else {
            var headers = HTTPHeaders()
            headers.add("Content-Type", "application/octet-stream")
            let body = MeteredBodySource(base: try FileBodySource(path: file), start: 0, meter: meter)
            let url = try uploadURL(session, opened, digest: digest)
            try await finishUpload(session, scopes: scopes, repository: repository, digest: digest, sent: 0) {
                HTTPRequest(method: .put, url: url, headers: headers, body: .source(body))
            }
            meter.set(to: size)
            return 1
        }
        let sent = try await uploadChunks(
            session, scopes: scopes, digest: digest, size: size, file: file, location: opened, meter: meter)
        let url = try uploadURL(session, sent.location, digest: digest)
        try await finishUpload(session, scopes: scopes, repository: repository, digest: digest, sent: sent.offset) {
            HTTPRequest(method: .put, url: url, body: .bytes([]))
        }
        return sent.requests + 1
    }

    /// Sends the blob in PATCH chunks of `uploadChunkSize`. After an interruption (a connection cut mid-chunk, or
    /// 416/400/404 for an upload state the registry no longer agrees with) it asks the registry how far it got
    /// and goes on from there; too many interruptions in a row end the push.
    /// - Returns: the requests sent, the upload's last location (the closing PUT goes there) and the bytes sent.
    private func uploadChunks(
        _ session: RegistrySession, scopes: ScopeSet, digest: Digest, size: Int64, file: String, location: String,
        meter: UploadMeter
    ) async throws -> (requests: Int, location: String, offset: Int64) {
        var current = location
        var requests = 0
        var offset: Int64 = 0
        // Status checks in a row without a chunk landing: bounded, so a registry that keeps failing ends the push.
        var interruptions = 0
        while offset < size {
            let length = min(max(1, options.uploadChunkSize), size - offset)
            var headers = HTTPHeaders()
            headers.add("Content-Type", "application/octet-stream")
            headers.add("Content-Range", "\(offset)-\(offset + length - 1)")
            let body = MeteredBodySource(
                base: try FileBodySource(path: file, offset: offset, length: length), start: offset, meter: meter)
            let url = try uploadURL(session, current)
            requests += 1
            let failure: any Error
            do {
                // 416 (out of order) and 400/404 (distribution's BLOB_UPLOAD_INVALID for a stale upload state
                // after a lost response) are answers to act on, not failures.
                // A connection cut mid-chunk may have delivered part of it, and resending the chunk from
                // `offset` would put bytes at the wrong offset (docker-registry appends a PATCH whatever its
                // Content-Range says): ask the registry how far it got instead of retrying blindly.
                let response = try await perform(
                    session, operation: .pushImage, scopes: scopes, accept: [400, 404, 416],
                    beforeRetry: { if $0 == nil { throw ChunkInterrupted() } },
                    make: { HTTPRequest(method: .patch, url: url, headers: headers, body: .source(body)) }
                )
                guard [400, 404, 416].contains(response.status) else {
                    interruptions = 0
                    current = response.headers["Location"] ?? current
                    offset += length
                    meter.set(to: offset)
                    continue
                }
                failure = RegistryError.from(
                    response, operation: .pushImage, registry: session.displayName, authenticated: session.authenticated
                )
            } catch let error
                where error is ChunkInterrupted
                || (error as? RegistryError).map({ $0.isRetryable || $0.type == .network }) == true
            {
                failure =
                    error is ChunkInterrupted
                    ? RegistryError(
                        .network, operation: .pushImage, registry: session.displayName,
                        message:
                            "the upload of \(digest) to \(session.displayName) broke off mid-chunk \(interruptions + 1) times in a row; check the network and try again"
                    )
                    : error
            }
            interruptions += 1
            if interruptions > max(1, options.retry.maxAttempts) { throw failure }
            (current, offset) = try await uploadStatus(session, scopes: scopes, location: current, sent: offset)
            meter.set(to: offset)
        }
        return (requests, current, offset)
    }

    /// Sends the PUT that closes an upload. When it is refused as a stale or unknown session (its response may
    /// have been lost after the registry completed it), the blob's presence decides: there means done, absent
    /// means the upload starts over.
    private func finishUpload(
        _ session: RegistrySession, scopes: ScopeSet, repository: String, digest: Digest, sent: Int64,
        make: () throws -> HTTPRequest
    ) async throws {
        let response = try await perform(
            session, operation: .pushImage, scopes: scopes, accept: [400, 404], make: make)
        guard response.status == 400 || response.status == 404 else { return }
        // A rejection of the bytes themselves is no lost session: uploading them again cannot help.
        let answer = RegistryError.from(
            response, operation: .pushImage, registry: session.displayName, authenticated: true)
        if let code = answer.code, ["DIGEST_INVALID", "SIZE_INVALID"].contains(code) {
            throw RegistryError(
                .blob, operation: .pushImage, registry: session.displayName,
                message:
                    "\(session.displayName) rejected blob \(digest) (\(code)): the bytes sent do not match that digest; the local copy of the blob was altered, so pull the image again",
                code: code, status: response.status)
        }
        let head = try await perform(session, operation: .pushImage, scopes: scopes, accept: [404]) {
            HTTPRequest(method: .head, url: session.url(.blob(repository, digest.description)), timeout: 60)
        }
        if head.status != 200 { throw UploadSessionLost(sent: sent) }
    }

    /// Asks an upload session how many bytes it holds (`GET` on the upload URL answers 204 with
    /// `Range: 0-N`). A lost session (404) throws `UploadSessionLost` so the caller starts over.
    private func uploadStatus(_ session: RegistrySession, scopes: ScopeSet, location: String, sent: Int64) async throws
        -> (String, Int64)
    {
        let url = try uploadURL(session, location)
        let response = try await perform(session, operation: .pushImage, scopes: scopes, accept: [400, 404]) {
            HTTPRequest(method: .get, url: url, timeout: 60)
        }
        if response.status == 400 || response.status == 404 { throw UploadSessionLost(sent: sent) }
        let next = response.headers["Location"] ?? location
        guard let range = response.headers["Range"], let dash = range.lastIndex(of: "-"),
            let end = Int64(range[range.index(after: dash)...])
        else { return (next, 0) }
        // docker-registry answers `0-0` for an empty upload as well as for one byte; nothing is the likely case,
        // and resuming one byte too far would misplace every byte after it (it appends wherever told).
        let offset = range.trimmingWhitespace() == "0-0" ? 0 : end + 1
        explain("upload resumes at byte \(offset)")
        return (next, offset)
    }

    /// The absolute URL of an upload `Location` (relative or absolute, possibly with its own query), with
    /// `digest=` appended for the closing PUT.
    func uploadURL(_ session: RegistrySession, _ location: String, digest: Digest? = nil) throws -> URL {
        var text =
            location.hasPrefix("/") ? "\(session.origin.scheme)://\(session.origin.hostAndPort)\(location)" : location
        if let digest { text += (text.contains("?") ? "&" : "?") + "digest=\(digest)" }
        guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https" else {
            throw RegistryError(
                .blob, operation: .pushImage, registry: session.displayName,
                message: "\(session.displayName) gave an upload location that is not a URL")
        }
        return url
    }

    /// Puts a manifest (exact bytes) under a tag or digest.
    func putManifest(
        _ session: RegistrySession, repository: String, reference: String, bytes: [UInt8], mediaType: String
    ) async throws {
        var headers = HTTPHeaders()
        headers.add("Content-Type", mediaType)
        _ = try await perform(
            session, operation: .pushImage, scopes: [Scope.repository(repository, actions: ["pull", "push"])]
        ) {
            HTTPRequest(
                method: .put, url: session.url(.manifest(repository, reference)), headers: headers, body: .bytes(bytes),
                timeout: 120)
        }
    }
}

/// A chunk's connection broke: the registry may hold part of it, so its offset is asked before going on.
private struct ChunkInterrupted: Error {}

/// The registry forgot an upload session; the blob is uploaded again from the start.
struct UploadSessionLost: Error, CustomStringConvertible {
    let sent: Int64
    var description: String { "the registry no longer knows the upload session" }
}

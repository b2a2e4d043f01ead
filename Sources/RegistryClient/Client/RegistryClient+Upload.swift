import AuthCore
import FoundationEssentials
import RegistryVocabulary

extension RegistryClient {
    /// Uploads one blob from a local file to `repository` unless the registry has it or can mount it.
    /// - Parameters:
    ///   - file: produces the local file holding the blob; called only when the blob must be uploaded.
    ///   - mountCandidates: repositories of the same registry that hold the blob (a cross-repository mount is
    ///     tried from each, in order; the registry answers 201 when it mounted, 202 when it opened an upload
    ///     instead).
    /// - Throws: `RegistryError`.
    func uploadBlob(
        _ session: RegistrySession, repository: String, digest: Digest, size: Int64,
        file obtainFile: @Sendable () async throws -> String, mountCandidates: [String], progress: any ProgressReporter
    ) async throws -> BlobUploadOutcome {
        let label = String(digest.encoded.prefix(12))
        let target = Scope.repository(repository, actions: ["pull", "push"])
        let head = try await perform(session, operation: "push_image", scopes: [target], accept: [404]) {
            HTTPRequest(method: .head, url: session.url("/v2/\(repository)/blobs/\(digest)"), timeout: 60)
        }
        if head.status == 200 {
            progress.finished(label, cached: true)
            cache.recordOrigin(digest, registry: ServerAddress.host(of: session.displayName), repository: repository)
            return .existed
        }
        var location: String?
        for source in mountCandidates where source != repository {
            let query = "mount=\(digest)&from=\(source.percentEncodedQueryValue)"
            let response = try await perform(
                session, operation: "push_image", scopes: [target, Scope.repository(source, actions: ["pull"])]
            ) {
                HTTPRequest(method: .post, url: session.url("/v2/\(repository)/blobs/uploads/?\(query)"), body: .bytes([]), timeout: 60)
            }
            if response.status == 201 {
                explain("\(digest) mounted from \(source) into \(repository)")
                cache.recordOrigin(digest, registry: ServerAddress.host(of: session.displayName), repository: repository)
                progress.finished(label, cached: true)
                return .mounted(from: source)
            }
            location = response.headers["Location"]
            break
        }
        // Only now is the content needed (a copy fetches it into the cache on demand).
        let file = try await obtainFile()
        progress.started(label, total: size)
        let meter = UploadMeter(label: label, progress: progress)
        var requests = 0
        for attempt in 1...3 {
            do {
                requests += try await upload(
                    session, repository: repository, digest: digest, size: size, file: file, location: location,
                    meter: meter)
                progress.finished(label, cached: false)
                cache.recordOrigin(digest, registry: ServerAddress.host(of: session.displayName), repository: repository)
                return .uploaded(requests: requests)
            } catch let error as UploadSessionLost where attempt < 3 {
                explain("upload of \(digest) lost its session (\(error)); starting a new one")
                meter.set(to: 0)
                location = nil
            }
        }
        throw RegistryError(.blob, operation: "push_image", registry: session.displayName, message: "the upload of \(digest) failed three times")
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
            let started = try await perform(session, operation: "push_image", scopes: scopes) {
                HTTPRequest(method: .post, url: session.url("/v2/\(repository)/blobs/uploads/"), body: .bytes([]), timeout: 60)
            }
            location = started.headers["Location"]
        }
        guard var current = location else {
            throw RegistryError(.blob, operation: "push_image", registry: session.displayName, message: "\(session.displayName) opened an upload without a Location header")
        }
        var requests = 0
        var offset: Int64 = 0
        // Status checks in a row without a chunk landing: bounded, so a registry that keeps failing ends the push.
        var interruptions = 0
        // Small blobs go up in one PUT; larger ones in PATCH chunks, so an interrupted upload resumes from the
        // last chunk the registry acknowledged.
        if size > options.monolithicUploadLimit {
            while offset < size {
                let length = min(max(1, options.uploadChunkSize), size - offset)
                let from = offset
                var headers = HTTPHeaders()
                headers.add("Content-Type", "application/octet-stream")
                headers.add("Content-Range", "\(from)-\(from + length - 1)")
                let body = MeteredBodySource(base: try FileBodySource(path: file, offset: from, length: length), start: from, meter: meter)
                let url = try uploadURL(session, current)
                requests += 1
                let response: HTTPResponse
                do {
                    // 416 (out of order) and 400/404 (distribution's BLOB_UPLOAD_INVALID for a stale upload state
                    // after a lost response) are answers to act on, not failures.
                    // A connection cut mid-chunk may have delivered part of it, and resending the chunk from
                    // `from` would put bytes at the wrong offset (docker-registry appends a PATCH whatever its
                    // Content-Range says): ask the registry how far it got instead of retrying blindly.
                    response = try await perform(
                        session, operation: "push_image", scopes: scopes, accept: [400, 404, 416],
                        beforeRetry: { if $0 == nil { throw ChunkInterrupted() } }
                    ) {
                        HTTPRequest(method: .patch, url: url, headers: headers, body: .source(body))
                    }
                } catch let error where error is ChunkInterrupted || (error as? RegistryError).map({ $0.isRetryable || $0.type == .network }) == true {
                    interruptions += 1
                    if interruptions > max(1, options.retry.maxAttempts) {
                        throw error is ChunkInterrupted
                            ? RegistryError(.network, operation: "push_image", registry: session.displayName, message: "the upload of \(digest) to \(session.displayName) broke off mid-chunk \(interruptions) times in a row; check the network and try again")
                            : error
                    }
                    (current, offset) = try await uploadStatus(session, scopes: scopes, location: current, sent: offset)
                    meter.set(to: offset)
                    continue
                }
                if [400, 404, 416].contains(response.status) {
                    interruptions += 1
                    if interruptions > max(1, options.retry.maxAttempts) {
                        throw RegistryError.from(response, operation: "push_image", registry: session.displayName, authenticated: session.authenticated)
                    }
                    (current, offset) = try await uploadStatus(session, scopes: scopes, location: current, sent: offset)
                    meter.set(to: offset)
                    continue
                }
                interruptions = 0
                current = response.headers["Location"] ?? current
                offset = from + length
                meter.set(to: offset)
            }
            let url = try uploadURL(session, current, digest: digest)
            requests += 1
            try await finishUpload(session, scopes: scopes, repository: repository, digest: digest, sent: offset) {
                HTTPRequest(method: .put, url: url, body: .bytes([]))
            }
        } else {
            var headers = HTTPHeaders()
            headers.add("Content-Type", "application/octet-stream")
            let body = MeteredBodySource(base: try FileBodySource(path: file), start: 0, meter: meter)
            let url = try uploadURL(session, current, digest: digest)
            requests += 1
            try await finishUpload(session, scopes: scopes, repository: repository, digest: digest, sent: 0) {
                HTTPRequest(method: .put, url: url, headers: headers, body: .source(body))
            }
            meter.set(to: size)
        }
        return requests
    }

    /// Sends the PUT that closes an upload. When it is refused as a stale or unknown session (its response may
    /// have been lost after the registry completed it), the blob's presence decides: there means done, absent
    /// means the upload starts over.
    private func finishUpload(
        _ session: RegistrySession, scopes: ScopeSet, repository: String, digest: Digest, sent: Int64,
        make: () throws -> HTTPRequest
    ) async throws {
        let response = try await perform(session, operation: "push_image", scopes: scopes, accept: [400, 404], make: make)
        guard response.status == 400 || response.status == 404 else { return }
        // A rejection of the bytes themselves is no lost session: uploading them again cannot help.
        let answer = RegistryError.from(response, operation: "push_image", registry: session.displayName, authenticated: true)
        if let code = answer.code, ["DIGEST_INVALID", "SIZE_INVALID"].contains(code) {
            throw RegistryError(
                .blob, operation: "push_image", registry: session.displayName,
                message: "\(session.displayName) rejected blob \(digest) (\(code)): the bytes sent do not match that digest; the local copy of the blob was altered, so pull the image again",
                code: code, status: response.status)
        }
        let head = try await perform(session, operation: "push_image", scopes: scopes, accept: [404]) {
            HTTPRequest(method: .head, url: session.url("/v2/\(repository)/blobs/\(digest)"), timeout: 60)
        }
        if head.status != 200 { throw UploadSessionLost(sent: sent) }
    }

    /// Asks an upload session how many bytes it holds (`GET` on the upload URL answers 204 with
    /// `Range: 0-N`). A lost session (404) throws `UploadSessionLost` so the caller starts over.
    private func uploadStatus(_ session: RegistrySession, scopes: ScopeSet, location: String, sent: Int64) async throws -> (String, Int64) {
        let url = try uploadURL(session, location)
        let response = try await perform(session, operation: "push_image", scopes: scopes, accept: [400, 404]) {
            HTTPRequest(method: .get, url: url, timeout: 60)
        }
        if response.status == 400 || response.status == 404 { throw UploadSessionLost(sent: sent) }
        let next = response.headers["Location"] ?? location
        guard let range = response.headers["Range"], let dash = range.lastIndex(of: "-"),
            let end = Int64(range[range.index(after: dash)...])
        else { return (next, 0) }
        // docker-registry answers `0-0` for an empty upload as well as for one byte; nothing is the likely case,
        // and resuming one byte too far would misplace every byte after it (it appends wherever told).
        let offset = range.trimmingCharacters() == "0-0" ? 0 : end + 1
        explain("upload resumes at byte \(offset)")
        return (next, offset)
    }

    /// The absolute URL of an upload `Location` (relative or absolute, possibly with its own query), with
    /// `digest=` appended for the closing PUT.
    func uploadURL(_ session: RegistrySession, _ location: String, digest: Digest? = nil) throws -> URL {
        var text = location.hasPrefix("/") ? "\(session.origin.scheme)://\(session.origin.hostAndPort)\(location)" : location
        if let digest { text += (text.contains("?") ? "&" : "?") + "digest=\(digest)" }
        guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https" else {
            throw RegistryError(.blob, operation: "push_image", registry: session.displayName, message: "\(session.displayName) gave an upload location that is not a URL")
        }
        return url
    }

    /// Puts a manifest (exact bytes) under a tag or digest.
    func putManifest(_ session: RegistrySession, repository: String, reference: String, bytes: [UInt8], mediaType: String) async throws {
        var headers = HTTPHeaders()
        headers.add("Content-Type", mediaType)
        _ = try await perform(session, operation: "push_image", scopes: [Scope.repository(repository, actions: ["pull", "push"])]) {
            HTTPRequest(method: .put, url: session.url("/v2/\(repository)/manifests/\(reference)"), headers: headers, body: .bytes(bytes), timeout: 120)
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

extension String {
    /// Escaped for use as a query value (repository names hold only `a-z0-9._-/`; `/` is escaped too).
    var percentEncodedQueryValue: String {
        var out = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 0xF)])"
            }
        }
        return out
    }
}

import AuthCore
import CCurl
import FoundationEssentials
import Synchronization

/// The HTTP transport: AuthCore's `HTTPClient` over libcurl.
///
/// - All transfers run on one libcurl multi loop (`CurlMultiLoop`, one thread while there is work), bridged to
///   async/await by continuations; cancelling the task aborts the transfer from libcurl's progress callback.
/// - Handles are pooled per origin, so requests to the same host reuse the open connection.
/// - Bodies stream: 2xx response bodies to the sink, request bodies from their source.
/// - libcurl never follows redirects and never decompresses (no `Accept-Encoding` is sent), so digests are
///   computed over the bytes the registry stored. Wrap this client in `RedirectFollowingClient`.
/// - TLS: the system CA store, plus the origin's `certs.d` CA and client certificate; verification is skipped
///   only for hosts in `insecureHosts`.
public final class CurlHTTPClient: HTTPClient {
    /// `certs.d` directories searched in order.
    public let certsDirectories: [String]
    /// Hosts configured `insecure`: the only ones whose certificates are not verified.
    public let insecureHosts: Set<String>
    /// Seconds allowed for connecting (TCP and TLS). Short, so that an unreachable or silent registry fails
    /// in seconds; a transfer that has started may stall far longer (see `stallTimeout`).
    public let connectTimeout: Double
    /// Seconds a started transfer may move no data at all before it fails.
    public let stallTimeout: Int
    /// Fixed name resolutions in libcurl's `CURLOPT_RESOLVE` form, `host:port:address`: tests reach a loopback
    /// server under a name that is not loopback, so that the rules for remote registries apply.
    public let resolve: [String]
    /// Where TLS decisions are explained (`OSSB_EXPLAIN`); never a secret.
    public let explain: (@Sendable (String) -> Void)?

    private let pool = CurlHandlePool()
    /// The one thread and multi handle that run all of this client's transfers.
    private let loop = CurlMultiLoop()
    private let tlsCache = Mutex<[HTTPOrigin: TLSSettings]>([:])

    /// Creates a transport.
    /// - Parameters:
    ///   - certsDirectories: `certs.d` directories (`OSSBPaths(environment:).certsDirectories`).
    ///   - insecureHosts: registry.json's `insecure` hosts.
    ///   - connectTimeout: seconds allowed for connecting, TLS handshake included.
    ///   - stallTimeout: seconds a transfer may move no data before it fails.
    ///   - resolve: fixed name resolutions, `host:port:address`.
    ///   - explain: a sink for explanation lines.
    public init(
        certsDirectories: [String] = [], insecureHosts: Set<String> = [], connectTimeout: Double = 5,
        stallTimeout: Int = 60, resolve: [String] = [], explain: (@Sendable (String) -> Void)? = nil
    ) {
        self.certsDirectories = certsDirectories
        self.insecureHosts = insecureHosts
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.resolve = resolve
        self.explain = explain
    }

    /// A transport configured from the environment: `OSSB_CERTS_D` or the default `certs.d` directories.
    public convenience init(
        environment: Environment, insecureHosts: Set<String> = [], resolve: [String] = [],
        explain: (@Sendable (String) -> Void)? = nil
    ) {
        self.init(
            certsDirectories: OSSBPaths(environment: environment).certsDirectories, insecureHosts: insecureHosts,
            resolve: resolve, explain: explain)
    }

    public func send(_ request: HTTPRequest, sink: (any HTTPBodySink)?) async throws -> HTTPResponse {
        guard let origin = request.origin else {
            throw HTTPClientError(.other, "cannot send a request to \(request): only http and https URLs are supported")
        }
        let state = TransferState(request: request, sink: sink)
        let tls = origin.scheme == "https" ? tlsSettings(for: origin) : TLSSettings()
        guard let loop else {
            throw HTTPClientError(.other, "libcurl could not create its transfer loop (out of memory)")
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                let easy: CurlEasy
                switch Self.prepare(state, origin: origin, tls: tls, pool: pool, limits: limits) {
                case .failure(let error): return continuation.resume(throwing: error)
                case .success(let prepared): easy = prepared
                }
                let serial = loop.makeSerial()
                state.attach(TransferResumer(loop: loop, easy: easy, serial: serial))
                let job = CurlMultiLoop.Job(easy: easy, serial: serial) { [pool, limits] code in
                    continuation.resume(
                        with: Self.finish(state, easy: easy, code: code, origin: origin, pool: pool, limits: limits))
                }
                if !loop.submit(job) {
                    continuation.resume(
                        throwing: HTTPClientError(
                            .other, "cannot start the transfer thread: the system is out of threads"))
                }
            }
        } onCancel: {
            state.cancelled.store(true, ordering: .relaxed)
            loop.wake()
        }
    }

    private var limits: TransferLimits {
        TransferLimits(connectTimeout: connectTimeout, stallTimeout: stallTimeout, resolve: resolve)
    }

    private func tlsSettings(for origin: HTTPOrigin) -> TLSSettings {
        if let cached = tlsCache.withLock({ $0[origin] }) { return cached }
        let settings = TLSSettings.load(for: origin, certsDirectories: certsDirectories, insecureHosts: insecureHosts)
        if let source = settings.source {
            explain?("ossb: TLS for \(origin.hostAndPort): system CAs plus \(source)")
        }
        if settings.skipVerification {
            explain?("ossb: TLS for \(origin.hostAndPort): verification skipped (insecure registry)")
        }
        tlsCache.withLock { $0[origin] = settings }
        return settings
    }

    /// Configures a pooled handle for one transfer; the state keeps everything libcurl reads while it runs.
    private static func prepare(
        _ state: TransferState, origin: HTTPOrigin, tls: TLSSettings, pool: CurlHandlePool, limits: TransferLimits
    ) -> Result<CurlEasy, any Error> {
        guard let easy = pool.take(for: origin) else {
            return .failure(HTTPClientError(.other, "libcurl could not create a transfer handle (out of memory)"))
        }
        let request = state.request
        do {
            try request.headers.checkSendable()
            if case .source(let source) = request.body { state.reader = try source.makeReader() }
            if case .bytes(let bytes) = request.body { state.reader = BytesBodyReader(bytes) }
        } catch {
            return .failure(error)
        }
        for field in request.headers {
            state.headerList = curl_slist_append(state.headerList, "\(field.name): \(field.value)")
        }
        // No `Expect: 100-continue` round trip before uploads; registries answer directly.
        state.headerList = curl_slist_append(state.headerList, "Expect:")
        for entry in limits.resolve { state.resolveList = curl_slist_append(state.resolveList, entry) }

        // The loop's job keeps the state alive until libcurl is done with these pointers.
        let userdata = Unmanaged.passUnretained(state).toOpaque()
        configure(easy, request: request, headers: state.headerList, tls: tls, limits: limits)
        easy.set(CURLOPT_RESOLVE, pointer: UnsafeMutableRawPointer(state.resolveList))
        easy.set(CURLOPT_WRITEFUNCTION, callback: CurlCallbacks.write)
        easy.set(CURLOPT_WRITEDATA, pointer: userdata)
        easy.set(CURLOPT_HEADERFUNCTION, callback: CurlCallbacks.header)
        easy.set(CURLOPT_HEADERDATA, pointer: userdata)
        easy.set(CURLOPT_READFUNCTION, callback: CurlCallbacks.read)
        easy.set(CURLOPT_READDATA, pointer: userdata)
        _ = ossb_curl_setopt_xferinfo(easy.handle, CurlCallbacks.progress)
        easy.set(CURLOPT_XFERINFODATA, pointer: userdata)
        easy.set(CURLOPT_NOPROGRESS, 0)
        easy.set(CURLOPT_ERRORBUFFER, pointer: state.errorBuffer)
        return .success(easy)
    }

    /// Turns a finished transfer into a response or an error, and returns a healthy handle to the pool.
    private static func finish(
        _ state: TransferState, easy: CurlEasy, code: CURLcode, origin: HTTPOrigin, pool: CurlHandlePool,
        limits: TransferLimits
    ) -> Result<HTTPResponse, any Error> {
        if code != CURLE_OK {
            return .failure(error(for: code, state: state, origin: origin, limits: limits))
        }
        let reused = easy.info(long: CURLINFO_NUM_CONNECTS) == 0
        let status = state.status != 0 ? state.status : easy.info(long: CURLINFO_RESPONSE_CODE)
        easy.set(CURLOPT_ERRORBUFFER, pointer: nil)
        pool.give(easy, for: origin)
        return .success(
            HTTPResponse(
                status: status, headers: state.headers, body: state.body, url: state.request.url,
                streamedBytes: state.streamed, reusedConnection: reused))
    }

    private static func configure(
        _ easy: CurlEasy, request: HTTPRequest, headers: UnsafeMutablePointer<curl_slist>?, tls: TLSSettings,
        limits: TransferLimits
    ) {
        easy.set(CURLOPT_URL, request.url.absoluteString)
        easy.set(CURLOPT_NOSIGNAL, 1)
        easy.set(CURLOPT_FOLLOWLOCATION, 0)
        easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        easy.set(CURLOPT_USERAGENT, "ossb-registry/\(OSSBVersion.current)")
        easy.set(CURLOPT_HTTPHEADER, pointer: UnsafeMutableRawPointer(headers))
        easy.set(CURLOPT_CONNECTTIMEOUT_MS, Int(limits.connectTimeout * 1000))
        if let timeout = request.timeout { easy.set(CURLOPT_TIMEOUT_MS, Int(timeout * 1000)) }
        // A stalled transfer (less than 1 byte/s for `stallTimeout`) fails instead of hanging forever, while a
        // slow but moving one goes on.
        easy.set(CURLOPT_LOW_SPEED_LIMIT, 1)
        easy.set(CURLOPT_LOW_SPEED_TIME, limits.stallTimeout)
        // A large receive buffer closed most of the gap to curl(1) with hashing in the write callback.
        easy.set(CURLOPT_BUFFERSIZE, 512 * 1024)
        easy.set(CURLOPT_UPLOAD_BUFFERSIZE, 512 * 1024)

        switch request.method {
        case .get where request.body.isEmpty:
            easy.set(CURLOPT_HTTPGET, 1)
        case .head:
            easy.set(CURLOPT_NOBODY, 1)
        default:
            easy.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
            if !request.body.isEmpty || [.post, .put, .patch].contains(request.method) {
                easy.set(CURLOPT_UPLOAD, 1)
                if let length = request.body.length {
                    easy.set(CURLOPT_INFILESIZE_LARGE, offset: length)
                }
            }
        }

        if request.url.scheme?.lowercased() == "https" {
            if tls.skipVerification {
                easy.set(CURLOPT_SSL_VERIFYPEER, 0)
                easy.set(CURLOPT_SSL_VERIFYHOST, 0)
            } else {
                easy.set(CURLOPT_SSL_VERIFYPEER, 1)
                easy.set(CURLOPT_SSL_VERIFYHOST, 2)
            }
            if !tls.extraCAs.isEmpty {
                // The blob replaces the default bundle file; the system CA directory keeps public CAs trusted.
                easy.set(CURLOPT_CAINFO_BLOB, blob: tls.extraCAs)
                easy.set(CURLOPT_CAPATH, TLSSettings.systemCAPath)
            }
            if let certificate = tls.clientCertificate, let key = tls.clientKey {
                easy.set(CURLOPT_SSLCERT, certificate)
                easy.set(CURLOPT_SSLKEY, key)
            }
        }
    }

    private static func error(for code: CURLcode, state: TransferState, origin: HTTPOrigin, limits: TransferLimits)
        -> any Error
    {
        if let callbackError = state.callbackError { return callbackError }
        let detail = String(cString: state.errorBuffer)
        let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let place = origin.description
        switch code {
        case CURLE_ABORTED_BY_CALLBACK:
            return HTTPClientError(.cancelled, "the request to \(place) was cancelled")
        case CURLE_OPERATION_TIMEDOUT:
            return HTTPClientError(
                .timeout,
                "no answer from \(place) in time (\(reason)); check that the registry is running and reachable")
        case CURLE_SSL_CONNECT_ERROR where plainHTTPSignatures.contains(where: { reason.contains($0) }):
            return HTTPClientError(
                .tls,
                "TLS with \(place) failed (\(reason)): the registry likely speaks plain http; to allow that, pass --insecure or list \(origin.hostAndPort) under \"insecure\" in registry.json"
            )
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return HTTPClientError(
                .tls,
                "TLS with \(place) failed (\(reason)); for a private CA put its ca.crt in a certs.d directory named \(origin.hostAndPort) (OSSB_CERTS_D)"
            )
        // SEND_FAIL_REWIND: a reused connection died under an upload and libcurl cannot replay a streamed body
        // itself; the request is resent from the start with a fresh reader, like any cut connection.
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING,
            CURLE_PARTIAL_FILE, CURLE_SEND_FAIL_REWIND:
            return HTTPClientError(.connection, "cannot reach \(place): \(reason)")
        default:
            return HTTPClientError(.other, "the request to \(place) failed: \(reason)")
        }
    }
}

extension CurlHTTPClient {
    /// What OpenSSL reports when the other end answered a TLS handshake in plain text: an http server's `400`
    /// read as a TLS record.
    static let plainHTTPSignatures = [
        "wrong version number", "packet length too long", "record layer failure", "http request",
    ]
}

/// The time limits and name overrides every transfer of one client uses.
struct TransferLimits: Sendable {
    var connectTimeout: Double
    var stallTimeout: Int
    var resolve: [String]
}

/// One pass over an in-memory body.
final class BytesBodyReader: HTTPBodyReader {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - position)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
        position += n
        return n
    }
}

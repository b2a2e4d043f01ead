import AuthCore

/// How a `RegistryClient` behaves (the Go package's `ClientOptions`). Every field has a default.
public struct ClientOptions: Sendable {
    /// registry.json's content; `nil` loads it from the environment.
    public var config: RegistryConfig?
    /// The environment (HOME, OSSB_* variables, docker's and containers' files).
    public var environment: Environment
    /// The platform chosen from indexes when none is given.
    public var platform: Platform
    /// Hosts treated as insecure in addition to registry.json's `insecure` (the CLI's `--insecure`).
    public var insecureHosts: Set<String>
    /// Blobs transferred at once (pull, push, copy); 6 like skopeo. The CLI sets it from `--jobs N` or
    /// `OSSB_MAX_CONCURRENT`.
    public var maxConcurrentTransfers: Int
    /// The default of `maxConcurrentTransfers`, and the largest value `--jobs` and `OSSB_MAX_CONCURRENT` accept.
    public static let defaultConcurrentTransfers = 6
    public static let maximumConcurrentTransfers = 64
    /// Retries of failed requests.
    public var retry: RetryPolicy
    /// The blob cache's directory; `nil` uses `$XDG_CACHE_HOME/ossb`, else `~/.cache/ossb` (`OSSB_CACHE_DIR` overrides).
    public var cacheDirectory: String?
    /// Explanation lines (`OSSB_EXPLAIN`); never a secret.
    public var explain: (@Sendable (String) -> Void)?
    /// Warnings (a skipped credential source, a mirror that failed).
    public var warn: @Sendable (String) -> Void
    /// Notes while waiting, such as `127.0.0.1:5000 answered 503; retrying in 2 s`; the CLI shows them on a
    /// terminal. `nil` shows nothing.
    public var notice: (@Sendable (String) -> Void)?
    /// The HTTP transport; `nil` uses libcurl. Tests inject their own.
    public var transport: (any HTTPClient)?
    /// Whether mirrors from registry.json are used for pulls.
    public var useMirrors: Bool
    /// The OAuth2 `client_id` sent to token servers.
    public var clientID: String
    /// Blobs up to this size are uploaded in one PUT (fastest); larger ones in PATCH chunks (resumable).
    public var monolithicUploadLimit: Int64
    /// The size of one PATCH chunk: an interrupted upload resumes from the last acknowledged chunk.
    public var uploadChunkSize: Int64

    /// An explanation line as the image commands print it, with `ossb: explain: ` once: the token exchange and the
    /// transport start their lines with `ossb: ` themselves, because `login` prints them as they are.
    package static func explanationLine(_ line: String) -> String {
        "ossb: explain: " + (line.hasPrefix("ossb: ") ? line.dropFirst("ossb: ".count) : Substring(line))
    }

    /// Options with every default, reading the process environment.
    public init(environment: Environment = .current) {
        self.config = nil
        self.environment = environment
        self.platform = .current
        self.insecureHosts = []
        self.maxConcurrentTransfers = Self.defaultConcurrentTransfers
        self.retry = RetryPolicy()
        self.cacheDirectory = nil
        self.explain = nil
        if environment.flag("OSSB_EXPLAIN") {
            self.explain = { line in StandardStreams.write(Self.explanationLine(line) + "\n", to: 2) }
        }
        self.warn = { line in StandardStreams.write("ossb: warning: \(line)\n", to: 2) }
        self.notice = nil
        self.transport = nil
        self.useMirrors = true
        self.clientID = "ossb-registry"
        // Measured against docker-registry here: one PUT of a 200 MiB blob took 0.82 s, the same blob in 64 MiB
        // PATCH chunks 0.99 s and in one PATCH 0.95 s. Up to 256 MiB the single PUT wins, at the price of
        // sending the blob again if the connection breaks; larger blobs go in chunks that resume.
        self.monolithicUploadLimit = 256 << 20
        self.uploadChunkSize = 128 << 20
    }
}

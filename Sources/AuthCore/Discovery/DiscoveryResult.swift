/// Credentials found by discovery, with the source that answered.
public struct DiscoveryResult: Sendable, Equatable {
    /// The credentials.
    public var credentials: Credentials
    /// The name of the source that had them (`env`, `file`, `docker (/root/.docker/config.json)`).
    public var source: String

    /// Creates a result.
    public init(credentials: Credentials, source: String) {
        self.credentials = credentials
        self.source = source
    }
}

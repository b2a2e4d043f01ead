import AuthCore

/// What a `CloudProvider` may use: the environment (the clouds' standard variables and `HOME`), an HTTP client
/// (libcurl in the helpers, a test bed's loopback servers in tests), the explanation channel (`OSSB_EXPLAIN`,
/// never a secret) and the clock.
package struct CloudContext: Sendable {
    /// The variables the credential chains read (`AWS_*`, `GOOGLE_*`, `GCE_METADATA_HOST`, `AZURE_*`, `HOME`).
    package var environment: Environment
    /// The HTTP client for token endpoints, metadata services and registries.
    package var http: any HTTPClient
    /// Receives one line per step of the chain as it is walked; never a secret.
    package var explain: @Sendable (String) -> Void
    /// Seconds since the epoch, now.
    package var now: @Sendable () -> Int64

    /// Creates a context.
    package init(
        environment: Environment, http: any HTTPClient, explain: @escaping @Sendable (String) -> Void = { _ in },
        now: @escaping @Sendable () -> Int64
    ) {
        self.environment = environment
        self.http = http
        self.explain = explain
        self.now = now
    }
}

/// Receives the progress of blob transfers. Calls may come from several transfer threads at once.
public protocol ProgressReporter: Sendable {
    /// A transfer of `total` bytes (when known) starts; `label` is a short digest.
    func started(_ label: String, total: Int64?)
    /// `bytes` more arrived or left (negative when a transfer restarted).
    func advanced(_ label: String, by bytes: Int64)
    /// The transfer finished; `cached` when no bytes were transferred because the blob was already there.
    func finished(_ label: String, cached: Bool)
    /// A one-line note for the user while waiting (`127.0.0.1:5000 answered 503; retrying in 2 s`), shown
    /// above the bars.
    func note(_ line: String)
}

extension ProgressReporter {
    /// Reporters that show no bars show no notes either.
    public func note(_ line: String) {}
}

/// Reports nothing: for `--quiet`, and when stderr is not a terminal.
public struct SilentProgress: ProgressReporter {
    /// Creates a silent reporter.
    public init() {}
    public func started(_ label: String, total: Int64?) {}
    public func advanced(_ label: String, by bytes: Int64) {}
    public func finished(_ label: String, cached: Bool) {}
}

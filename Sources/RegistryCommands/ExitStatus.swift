/// The exit statuses of `ossb-registry`: 0 success, 1 failure, 2 usage error (as most Unix tools, so scripts
/// can tell a typo from a failed pull).
public enum ExitStatus {
    /// The command did what was asked.
    public static let success: Int32 = 0
    /// It failed; one line on stderr says why.
    public static let failure: Int32 = 1
    /// The command line was wrong; stderr says what and points to `--help`.
    public static let usage: Int32 = 2
}

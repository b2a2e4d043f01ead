/// What a helper run produced: the protocol's stdout, diagnostics for stderr, and the exit status.
public struct HelperOutcome: Sendable, Equatable {
    /// Everything for standard output, including the trailing newline.
    public var stdout: String
    /// Diagnostics for standard error (the explanation mode); never part of the protocol.
    public var stderr: String
    /// 0 for success, 1 for any error (the protocol's only failure status).
    public var status: Int32

    /// Creates an outcome.
    public init(stdout: String = "", stderr: String = "", status: Int32 = 0) {
        self.stdout = stdout
        self.stderr = stderr
        self.status = status
    }

    /// The protocol's failure: the message on stdout with a newline, exit 1.
    public static func failure(_ message: String, stderr: String = "") -> HelperOutcome {
        HelperOutcome(stdout: oneLine(message) + "\n", stderr: stderr, status: 1)
    }

    /// Keeps a message to a single line: clients show it verbatim, and a newline inside would break the
    /// "one clear line" rule and some clients' parsing.
    static func oneLine(_ message: String) -> String {
        String(message.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}

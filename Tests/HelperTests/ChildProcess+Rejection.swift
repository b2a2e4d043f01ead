import Testing

extension ChildProcess.Result {
    /// Checks the shape of a protocol rejection: exit status 1, nothing on stderr (no crash, no stack trace),
    /// and exactly one short line on stdout, equal to `expected` when the protocol fixes the text.
    func expectCleanRejection(_ expected: String?, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status == 1, "\(self)", sourceLocation: sourceLocation)
        #expect(stderr.isEmpty, "\(self)", sourceLocation: sourceLocation)
        #expect(stdout.hasSuffix("\n"), sourceLocation: sourceLocation)
        #expect(
            stdout.dropLast().split(separator: "\n", omittingEmptySubsequences: false).count == 1, "\(self)",
            sourceLocation: sourceLocation)
        #expect(stdout.count < 300, "message should be one short line: \(self)", sourceLocation: sourceLocation)
        if let expected { #expect(stdout == expected + "\n", sourceLocation: sourceLocation) }
        #expect(!stdout.contains("Fatal error") && !stdout.contains("Swift runtime"), sourceLocation: sourceLocation)
    }
}

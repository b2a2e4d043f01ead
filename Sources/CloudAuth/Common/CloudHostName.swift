/// Registry host names as the cloud providers match them: lower-cased, the port dropped, split into DNS labels.
/// Matching is by whole labels from the right, so a look-alike (`gcr.io.evil.com`, `evilazurecr.io`) never
/// matches.
package struct CloudHostName: Sendable {
    /// The DNS labels, left to right; empty when the name is not a plain DNS name.
    package let labels: [Substring]

    /// Parses `host` (`name`, `name:port`); anything that is not letters, digits, `-` and `.` yields no labels.
    package init(_ host: String) {
        var name = Substring(host.lowercased())
        if let colon = name.lastIndex(of: ":"), name[name.index(after: colon)...].allSatisfy(\.isNumber) {
            name = name[..<colon]
        }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        let valid = labels.allSatisfy { label in
            !label.isEmpty && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
        self.labels = valid ? labels : []
    }

    /// Whether the name is exactly `suffix` (`gcr.io`).
    package func isExactly(_ suffix: String) -> Bool {
        labels == suffix.split(separator: ".", omittingEmptySubsequences: false)
    }

    /// The single label in front of `suffix` (`us` for `us.gcr.io` and suffix `gcr.io`), or `nil` when the name
    /// is not one label followed by `suffix`.
    package func label(before suffix: String) -> Substring? {
        let tail = suffix.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count == tail.count + 1, Array(labels.suffix(tail.count)) == tail else { return nil }
        return labels.first
    }
}

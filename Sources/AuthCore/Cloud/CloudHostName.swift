/// Registry host names as the clouds are recognised by: lower-cased, the port dropped, split into DNS labels.
/// Matching is by whole labels from the right, so a look-alike (`gcr.io.evil.com`, `evilazurecr.io`) never
/// matches. The one parser of cloud registry names: discovery (`CloudRegistry`) and every provider use it, so a
/// host routed to a cloud helper is exactly a host that helper serves.
package struct CloudHostName: Sendable {
    /// The DNS labels, left to right; empty when the name is not a plain DNS name.
    package let labels: [Substring]

    /// The longest name and label DNS allows; longer ones are nobody's registry (and would not fit in a file
    /// name of the token cache).
    static let maximumLength = 253
    static let maximumLabelLength = 63

    /// Parses `host` (`name`, `name:port`). Anything else yields no labels: a byte outside ASCII letters,
    /// digits, `-` and `.`, an empty label, a port that is not 1 to 5 digits (`name:@evil.example` is not
    /// `name`), a label longer than 63 or a name longer than 253 characters. Only ASCII is accepted *before*
    /// lower-casing: Unicode case mapping turns some letters into ASCII ones (the Kelvin sign U+212A into `k`), so
    /// `evil-docker.p\u{212A}g.dev`, another host once encoded for DNS, would otherwise read as Google's
    /// `evil-docker.pkg.dev`.
    package init(_ host: String) {
        labels = Self.parse(host) ?? []
    }

    static func parse(_ host: String) -> [Substring]? {
        guard host.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        var name = Substring(host.lowercased())
        if let colon = name.lastIndex(of: ":") {
            let port = name[name.index(after: colon)...]
            guard (1...5).contains(port.utf8.count), port.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
                return nil
            }
            name = name[..<colon]
        }
        guard name.utf8.count <= maximumLength else { return nil }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        let valid = labels.allSatisfy { label in
            (1...maximumLabelLength).contains(label.utf8.count)
                && label.utf8.allSatisfy { byte in
                    (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2D
                }
        }
        return valid ? labels : nil
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

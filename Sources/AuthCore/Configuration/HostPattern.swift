/// A registry pattern of registry.json's `credential_helpers`: `*` matches any run of characters other than
/// `.`, `:` and `/`, so `*.dkr.ecr.*.amazonaws.com` matches `123.dkr.ecr.eu-west-1.amazonaws.com` but
/// `*.example.com` does not match `a.b.example.com`. Everything else matches literally, case-insensitively.
public struct HostPattern: Sendable, Equatable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    private let parts: [Substring]

    /// Creates a pattern.
    public init(_ pattern: String) {
        self.pattern = pattern
        self.parts = pattern.lowercased().split(separator: "*", omittingEmptySubsequences: false)
    }

    /// Whether `host` (a registry host, optionally with port) matches the whole pattern.
    public func matches(_ host: String) -> Bool {
        Self.match(parts[...], Substring(host.lowercased()))
    }

    private static func match(_ parts: ArraySlice<Substring>, _ text: Substring) -> Bool {
        guard let first = parts.first else { return text.isEmpty }
        guard text.hasPrefix(first) else { return false }
        let rest = text.dropFirst(first.count)
        let remaining = parts.dropFirst()
        if remaining.isEmpty { return rest.isEmpty }
        // A `*` stands between `first` and the next part: try every run of wildcard-eligible characters.
        var index = rest.startIndex
        while true {
            if match(remaining, rest[index...]) { return true }
            guard index < rest.endIndex, ![".", ":", "/"].contains(rest[index]) else { return false }
            index = rest.index(after: index)
        }
    }

    /// How specific the pattern is: longer literal text wins when several patterns match.
    package var specificity: Int { parts.reduce(0) { $0 + $1.count } }

    public var description: String { pattern }
}

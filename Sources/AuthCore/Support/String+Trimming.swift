// FoundationEssentials has no `trimmingCharacters(in:)`; these cover what the protocol and files need.
extension StringProtocol {
    /// The string without leading and trailing white space (Unicode white space, as Go's `strings.TrimSpace`).
    package func trimmingWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first.properties.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars = scalars.dropLast() }
        return String(String.UnicodeScalarView(scalars))
    }

}

extension StringProtocol {
    /// The string with ASCII letters lower-cased and every other character kept as it is.
    ///
    /// Host names compare case-insensitively in ASCII only. Unicode's `lowercased()` maps some other letters onto
    /// ASCII ones (the Kelvin sign U+212A onto `k`), so `doc\u{212A}er.io` — another host once encoded for DNS —
    /// would read as Docker Hub, and a look-alike would be served the real registry's credentials.
    package func asciiLowercased() -> String {
        String(decoding: utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}

/// A non-negative span of time in Go's `time.Duration` text form, as Kubernetes APIs carry it
/// (`metav1.Duration` is a JSON string such as `"10m0s"`).
///
/// Parsing accepts what Go's `time.ParseDuration` accepts, except negative values: a sequence of decimal
/// numbers, each with an optional fraction and a unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), such as `90s`,
/// `1h30m` or `1.5h`; a bare `0` is zero. `description` prints the canonical form Go's `Duration.String`
/// prints (`1h30m0s`, `1m30s`, `1.5s`, `500ms`, `0s`), which is what kubelet writes and reads.
public struct GoDuration: Sendable, Equatable, Comparable, CustomStringConvertible {
    /// The length in nanoseconds.
    public let nanoseconds: Int64

    /// A duration of `nanoseconds`.
    public init(nanoseconds: Int64) {
        self.nanoseconds = max(0, nanoseconds)
    }

    private static let units: [(String, Int64)] = [
        ("ns", 1), ("us", 1_000), ("\u{00B5}s", 1_000), ("\u{03BC}s", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    /// Parses Go duration syntax.
    /// - Parameter text: such as `10m`, `1h30m`, `90s`, `0`.
    /// - Returns: `nil` for anything Go would reject, and for negative durations.
    public init?(_ text: String) {
        var rest = Substring(text)
        if rest.first == "+" { rest = rest.dropFirst() }
        if rest == "0" {
            self.init(nanoseconds: 0)
            return
        }
        guard !rest.isEmpty else { return nil }
        var total: Int64 = 0
        while !rest.isEmpty {
            let whole = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(whole.count)
            var fraction: Substring = ""
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix { $0.isASCII && $0.isNumber }
                rest = rest.dropFirst(fraction.count)
            }
            // Go requires a digit on one side of the point at least (".5s" and "1.s" are valid, "." is not).
            guard !whole.isEmpty || !fraction.isEmpty else { return nil }
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let unit = Self.units.first(where: { $0.0 == unitText })?.1 else { return nil }
            rest = rest.dropFirst(unitText.count)
            guard let value = Self.scaled(whole: whole, fraction: fraction, unit: unit) else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(value)
            guard !overflow else { return nil }
            total = sum
        }
        self.init(nanoseconds: total)
    }

    /// `whole.fraction` times `unit` nanoseconds, truncated; `nil` on overflow.
    private static func scaled(whole: Substring, fraction: Substring, unit: Int64) -> Int64? {
        var value: Int64 = 0
        for digit in whole {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int64(digit.wholeNumberValue!))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        let (result, overflow) = value.multipliedReportingOverflow(by: unit)
        guard !overflow else { return nil }
        // Digits of the fraction past the unit's resolution cannot change the result.
        var scale = unit
        var part: Int64 = 0
        for digit in fraction.prefix(18) {
            scale /= 10
            if scale == 0 { break }
            part += Int64(digit.wholeNumberValue!) * scale
        }
        let (sum, o) = result.addingReportingOverflow(part)
        return o ? nil : sum
    }

    public var description: String {
        let ns = nanoseconds
        if ns == 0 { return "0s" }
        if ns < 1_000_000_000 {
            // Below a second Go switches to the largest smaller unit that keeps an integer part.
            let (unit, digits): (String, Int) = ns < 1_000 ? ("ns", 0) : ns < 1_000_000 ? ("\u{00B5}s", 3) : ("ms", 6)
            return Self.decimal(ns, fractionDigits: digits) + unit
        }
        let seconds = ns / 1_000_000_000
        var text = Self.decimal(ns % 60_000_000_000, fractionDigits: 9) + "s"
        let minutes = seconds / 60
        if minutes > 0 {
            text = "\(minutes % 60)m" + text
            let hours = minutes / 60
            if hours > 0 { text = "\(hours)h" + text }
        }
        return text
    }

    /// `value / 10^fractionDigits` written with its fraction, trailing zeros (and a bare point) dropped.
    private static func decimal(_ value: Int64, fractionDigits: Int) -> String {
        var divisor: Int64 = 1
        for _ in 0..<fractionDigits { divisor *= 10 }
        let whole = value / divisor
        var fraction = String(value % divisor)
        guard fractionDigits > 0, value % divisor != 0 else { return String(whole) }
        fraction = String(repeating: "0", count: fractionDigits - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }

    public static func < (a: GoDuration, b: GoDuration) -> Bool { a.nanoseconds < b.nanoseconds }
}

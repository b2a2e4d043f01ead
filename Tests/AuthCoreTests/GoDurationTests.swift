import Testing

@testable import AuthCore

/// Go's duration syntax in, Go's `Duration.String` out (the values checked against Go's documented output).
@Suite struct GoDurationTests {
    @Test(arguments: [
        ("10m", "10m0s"), ("90s", "1m30s"), ("1h30m", "1h30m0s"), ("1h", "1h0m0s"), ("0", "0s"), ("0s", "0s"),
        ("1.5h", "1h30m0s"), ("300ms", "300ms"), ("1.5s", "1.5s"), ("2h45m30.5s", "2h45m30.5s"), ("1500us", "1.5ms"),
        ("1µs", "1µs"), ("12ns", "12ns"), ("+5m", "5m0s"), (".5m", "30s"), ("1.m", "1m0s"), ("72h", "72h0m0s"),
        ("1m0.000000001s", "1m0.000000001s"), ("100h1m", "100h1m0s"),
    ])
    func parsesAndPrintsAsGo(input: String, canonical: String) throws {
        let duration = try #require(GoDuration(input), "\(input)")
        #expect(duration.description == canonical)
        // The canonical form parses back to the same value.
        #expect(GoDuration(canonical) == duration)
    }

    @Test(arguments: [
        "", "10", "m", "10x", "1h-5m", "-5m", "1.5", ".s", "10 m", "ten minutes", "99999999999999999h", "1e3s",
    ])
    func rejectsWhatGoRejectsAndNegatives(input: String) {
        #expect(GoDuration(input) == nil)
    }

    @Test func nanoseconds() {
        #expect(GoDuration("1h30m")?.nanoseconds == 5_400_000_000_000)
        #expect(GoDuration("1.5h") == GoDuration("90m"))
    }
}

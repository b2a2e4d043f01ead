import Testing

@testable import RegistryClient

/// Bars fit the window and line up; delays read well.
@Suite struct TerminalProgressTests {
    static let bars = [
        TerminalProgress.Bar(label: "a1eb0ce91c6c", total: 237, done: 237, state: "done"),
        TerminalProgress.Bar(label: "dcff83f28369", total: 31_457_280, done: 1_048_575, state: "downloading"),
        TerminalProgress.Bar(label: "9d5e40ab0cbb", total: 5 << 30, done: 0, state: "already present"),
        TerminalProgress.Bar(label: "77aa11bb22cc", total: nil, done: 4096, state: "downloading"),
    ]

    @Test(arguments: [20, 40, 50, 70, 80, 200])
    func everyLineFitsAndGaugesLineUp(columns: Int) {
        let gauge = TerminalProgress.gaugeWidth(Self.bars, columns: columns)
        let lines = Self.bars.map { TerminalProgress.line($0, columns: columns, gauge: gauge) }
        for line in lines { #expect(line.count < columns, "\(line.count) characters at \(columns) columns: \(line)") }
        let gauges = Set(
            lines.filter { $0.contains("[") }.map { line in line.split(separator: "[")[1].split(separator: "]")[0].count
            })
        #expect(gauges.count <= 1, "gauges of different widths: \(lines)")
        if columns >= 100 { #expect(gauges == [30]) }
    }

    @Test func retryDelaysReadWell() {
        #expect(String(seconds: 0.26) == "0.3")
        #expect(String(seconds: 0.01) == "0.1")
        #expect(String(seconds: 1.5) == "1.5")
        #expect(String(seconds: 2.4) == "2")
        #expect(String(seconds: 9.6) == "10")
    }

    /// Without a terminal to ask (a descriptor that is not one), `COLUMNS` decides, else 80.
    @Test func widthFallsBackToColumnsThenEighty() {
        #expect(TerminalWidth.columns(fd: -1, columnsVariable: "42") == 42)
        #expect(TerminalWidth.columns(fd: -1, columnsVariable: "wide") == 80)
        #expect(TerminalWidth.columns(fd: -1, columnsVariable: nil) == 80)
    }
}

import Glibc
import Synchronization

/// Progress bars on a terminal, one line per blob, redrawn at most ten times a second, each line fitted to the
/// terminal's width (a line that wraps breaks the redraw). Notes (retries) go above the bars. Use only when
/// stderr is a terminal (`TerminalProgress.isTerminal`): bars written into a log file are noise.
package final class TerminalProgress: ProgressReporter {
    struct Bar {
        var label: String
        var total: Int64?
        var done: Int64 = 0
        var state = "downloading"
    }

    private struct State {
        var bars: [Bar] = []
        var drawnLines = 0
        var lastDraw = 0.0
        var pendingNotes: [String] = []
    }

    private let state = Mutex(State())
    private let fd: Int32
    private let verb: String

    /// Creates a reporter drawing on `fd` (stderr by default).
    /// - Parameter verb: what the bars say while transferring (`downloading`, `uploading`).
    package init(fd: Int32 = 2, verb: String = "downloading") {
        self.fd = fd
        self.verb = verb
    }

    /// Whether stderr is a terminal.
    package static var isTerminal: Bool { isatty(2) == 1 }

    package func started(_ label: String, total: Int64?) {
        state.withLock { s in
            s.bars.append(Bar(label: label, total: total, state: verb))
            draw(&s, force: true)
        }
    }

    package func advanced(_ label: String, by bytes: Int64) {
        state.withLock { s in
            if let i = s.bars.firstIndex(where: { $0.label == label }) { s.bars[i].done += bytes }
            draw(&s, force: false)
        }
    }

    package func note(_ line: String) {
        state.withLock { s in
            s.pendingNotes.append(line)
            draw(&s, force: true)
        }
    }

    package func finished(_ label: String, cached: Bool) {
        state.withLock { s in
            if let i = s.bars.firstIndex(where: { $0.label == label }) {
                s.bars[i].state = cached ? "already present" : "done"
                if let total = s.bars[i].total { s.bars[i].done = total }
            } else {
                s.bars.append(Bar(label: label, total: nil, state: cached ? "already present" : "done"))
            }
            draw(&s, force: true)
        }
    }

    private func draw(_ s: inout State, force: Bool) {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let now = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        guard force || now - s.lastDraw >= 0.1 else { return }
        s.lastDraw = now
        let columns = TerminalWidth.columns(fd: fd)
        var out = ""
        if s.drawnLines > 0 { out += "\u{1B}[\(s.drawnLines)A" }
        // Notes take the place of the top bars and stay; the bars are drawn again below them.
        for note in s.pendingNotes {
            out += "\r\u{1B}[2K" + note + "\n"
        }
        s.pendingNotes = []
        let gauge = Self.gaugeWidth(s.bars, columns: columns)
        for bar in s.bars {
            out += "\r\u{1B}[2K" + Self.line(bar, columns: columns, gauge: gauge) + "\n"
        }
        s.drawnLines = s.bars.count
        _ = out.withCString { write(fd, $0, strlen($0)) }
    }

    /// The gauge width every bar of one redraw uses, so that they line up: at most 30, less when the longest
    /// bar would not fit in `columns`.
    static func gaugeWidth(_ bars: [Bar], columns: Int) -> Int {
        bars.reduce(30) { width, bar in
            guard let total = bar.total else { return width }
            // "label  [" + "] " + "done/total  state", with room for the longest figures.
            let fixed = bar.label.count + 5 + "\(formatBytes(total))/\(formatBytes(total))  already present".count
            return min(width, columns - 1 - fixed)
        }
    }

    /// One bar, at most `columns - 1` characters (the last column would wrap on some terminals). The gauge
    /// shrinks first, then disappears; the text is cut only on terminals too narrow for it.
    static func line(_ bar: Bar, columns: Int, gauge width: Int) -> String {
        let limit = max(1, columns - 1)
        let text: String
        if let total = bar.total, total > 0 {
            let figures = "\(formatBytes(bar.done))/\(formatBytes(total))  \(bar.state)"
            if width >= 5 {
                let fraction = min(1, max(0, Double(bar.done) / Double(total)))
                let filled = Int(fraction * Double(width))
                let gauge =
                    String(repeating: "=", count: filled) + (filled < width ? ">" : "")
                    + String(repeating: " ", count: max(0, width - filled - 1))
                text = "\(bar.label)  [\(gauge)] \(figures)"
            } else {
                text = "\(bar.label)  \(figures)"
            }
        } else {
            text = "\(bar.label)  \(bar.state)  \(formatBytes(bar.done))"
        }
        return text.count > limit ? String(text.prefix(limit)) : text
    }

    /// `1.5 MiB`-style sizes.
    package static func formatBytes(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let rounded = (value * 10).rounded() / 10
        return "\(rounded) \(units[unit])"
    }
}

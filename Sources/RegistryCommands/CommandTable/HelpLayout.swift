/// The two-column sections of the help pages (options, commands): names on the left, text on the right,
/// wrapped to fit a 110-column terminal.
enum HelpLayout {
    static let width = 110

    /// `rows` as an indented two-column list, one line or more per row.
    static func columns(_ rows: [(left: String, right: String)]) -> String {
        let indent = (rows.map(\.left.count).max() ?? 0) + 5
        return rows.map { row in
            let lines = wrap(row.right, width: max(width - indent, 30))
            let first = "  " + row.left.padding(indent - 2) + (lines.first ?? "")
            let rest = lines.dropFirst().map { String(repeating: " ", count: indent) + $0 }
            return ([first] + rest).joined(separator: "\n") + "\n"
        }.joined()
    }

    /// Words of `text` in lines of at most `width` characters (a longer word gets a line of its own).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        return line.isEmpty ? lines : lines + [line]
    }
}

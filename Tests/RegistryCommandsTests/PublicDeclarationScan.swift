import Foundation

/// Lists the `public` declarations of the package's library modules, so that a test can compare them with the
/// checked-in list in docs/public-api.txt. `public` is the products' API (what a user of the libraries calls);
/// code that only this package's other modules use is `package`. A new `public` is then a decision someone makes
/// in review, not an accident of copying a neighbour's line.
enum PublicDeclarationScan {
    /// Modifiers that may stand between `public` and the declaration's keyword.
    static let modifiers: Set<Substring> = [
        "static", "class", "final", "private(set)", "fileprivate(set)", "internal(set)", "package(set)", "convenience",
        "mutating", "nonmutating", "nonisolated", "override", "required", "indirect", "lazy", "dynamic", "borrowing",
        "consuming", "distributed", "weak", "unowned",
    ]
    /// The keywords that start a declaration; `class` counts as one only when no other keyword follows.
    static let keywords: Set<Substring> = [
        "struct", "class", "enum", "protocol", "actor", "func", "var", "let", "init", "typealias", "extension",
        "subscript", "case", "associatedtype", "macro", "operator", "precedencegroup",
    ]

    /// The `public` declarations in `source`, one `kind name` each, in source order (`func run`, `init`,
    /// `struct CommandContext`, `var environment`, `func ==`). Keyed by name, not by the whole line, so that reformatting a
    /// signature does not change the list; commented-out lines, strings and `package` declarations do not count.
    static func declarations(in source: String) -> [String] {
        var result: [String] = []
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })[...]
            while let first = words.first, first.hasPrefix("@") { words = words.dropFirst() }
            guard words.first == "public" else { continue }
            words = words.dropFirst()
            while let first = words.first, modifiers.contains(first),
                !(first == "class"
                    && words.dropFirst().first.map { !keywords.contains($0) && !modifiers.contains($0) } ?? true)
            {
                words = words.dropFirst()
            }
            guard let kind = words.first.map({ $0.prefix(while: { $0.isLetter }) }), keywords.contains(kind) else {
                result.append("? \(line.trimmingCharacters(in: .whitespaces))")
                continue
            }
            // The name: what follows the keyword up to its parameters, generics, type or body.
            let rest =
                words.first!.dropFirst(kind.count).isEmpty
                ? words.dropFirst().first ?? "" : words.first!.dropFirst(kind.count)
            if kind == "init" || kind == "subscript" {
                // No name of their own; a failable one is `init?`.
                result.append(rest.hasPrefix("?") ? "\(kind)?" : String(kind))
                continue
            }
            let isOperator = rest.first.map { !$0.isLetter && $0 != "_" && $0 != "`" } ?? false
            let name = rest.prefix(while: { !(isOperator ? "(" : "(<:={,").contains($0) })
            result.append(name.isEmpty ? String(kind) : "\(kind) \(name)")
        }
        return result
    }

    /// Every `public` declaration of the Swift files under `sources` (one directory per module), as
    /// `Module/relative/File.swift: kind name`, sorted.
    static func declarations(under sources: String) throws -> [String] {
        let files = FileManager.default.enumerator(atPath: sources)?.compactMap { $0 as? String } ?? []
        var lines: [String] = []
        for file in files where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: "\(sources)/\(file)", encoding: .utf8)
            lines += declarations(in: text).map { "\(file): \($0)" }
        }
        return lines.sorted()
    }

    /// What differs between `actual` and `allowed` (both lists may repeat a line, as a file may hold several
    /// `init`s): `added` are in the sources but not in the list, `removed` in the list but no longer in the sources.
    static func difference(actual: [String], allowed: [String]) -> (added: [String], removed: [String]) {
        var counts: [String: Int] = [:]
        for line in allowed { counts[line, default: 0] += 1 }
        var added: [String] = []
        for line in actual {
            if let count = counts[line], count > 0 { counts[line] = count - 1 } else { added.append(line) }
        }
        let removed = counts.flatMap { line, count in Array(repeating: line, count: count) }.sorted()
        return (added, removed)
    }
}

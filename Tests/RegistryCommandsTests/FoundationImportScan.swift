import Foundation
import OSSBTestSupport

/// Finds `import Foundation` (and the other swift-corelibs-foundation modules that pull in ICU or libcurl) in the
/// sources of every module a helper links. FoundationEssentials is what the helpers may use: Foundation proper
/// loads ICU and triples their start-up time.
enum FoundationImportScan {
    /// Modules a helper must not import. FoundationEssentials and FoundationInternationalization are not here:
    /// the first is the helpers' whole allowance, the second is caught by the linkage test if it drags in ICU.
    static let forbiddenModules: Set<String> = ["Foundation", "FoundationNetworking", "FoundationXML"]

    /// The 1-based numbers of the lines of `source` that import a forbidden module, in any spelling Swift
    /// accepts: with attributes (`@preconcurrency`, `@_exported`), as a single declaration (`import struct
    /// Foundation.Data`) or a submodule (`import Foundation.NSData`). Commented-out lines do not count.
    static func offendingLines(in source: String) -> [Int] {
        imports(in: source).filter { forbiddenModules.contains($0.module) }.map(\.line)
    }

    /// Every import in `source`, each with its 1-based line number and the top-level module it names, in the
    /// spellings `offendingLines` describes.
    static func imports(in source: String) -> [(line: Int, module: String)] {
        var result: [(line: Int, module: String)] = []
        for (index, line) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })[...]
            while let first = words.first, first.hasPrefix("@") { words = words.dropFirst() }
            guard words.first == "import" else { continue }
            words = words.dropFirst()
            let kinds: Set<Substring> = ["typealias", "struct", "class", "enum", "protocol", "let", "var", "func"]
            if let kind = words.first, kinds.contains(kind) { words = words.dropFirst() }
            guard let path = words.first else { continue }
            result.append((index + 1, path.split(separator: ".").first.map(String.init) ?? ""))
        }
        return result
    }

    /// Every import in the Swift files under `directory`, as `file:line: import Module` (file relative to
    /// `directory`, sorted): what a module that may import nothing must not have.
    static func importLines(under directory: String) throws -> [String] {
        let files = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
        var lines: [String] = []
        for file in files.sorted() where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8)
            lines += imports(in: text).map { "\(file):\($0.line): import \($0.module)" }
        }
        return lines
    }

    /// The Swift modules linked into the executables under `helpers/`, from the package's own dependency graph
    /// (`swift package describe --type json`), each with its source directory relative to the package root;
    /// `excluding` leaves out helpers by name.
    static func helperModules(packageRoot: String, excluding: Set<String> = []) throws -> [String: String] {
        let swift = try TestProcess.which("swift").orThrow("swift is not on PATH")
        let scratch = TemporaryDirectory()
        // A scratch path of its own, so that SwiftPM does not wait for the lock of the running `swift test`.
        let described = try TestProcess.run(
            swift,
            ["package", "--package-path", packageRoot, "--scratch-path", scratch.path, "describe", "--type", "json"],
            environment: ProcessInfo.processInfo.environment)
        guard described.status == 0,
            let package = try JSONSerialization.jsonObject(with: Data(described.stdout.utf8)) as? [String: Any],
            let targets = package["targets"] as? [[String: Any]]
        else { throw ScanError("swift package describe failed: \(described.stderr)") }
        var byName: [String: [String: Any]] = [:]
        for target in targets { if let name = target["name"] as? String { byName[name] = target } }
        var modules: [String: String] = [:]
        var pending = targets.filter { ($0["path"] as? String)?.hasPrefix("helpers/") == true }.compactMap {
            $0["name"] as? String
        }
        .filter { !excluding.contains($0) }
        while let name = pending.popLast() {
            guard modules[name] == nil, let target = byName[name], let path = target["path"] as? String else {
                continue
            }
            if target["module_type"] as? String == "SwiftTarget" { modules[name] = path }
            pending += target["target_dependencies"] as? [String] ?? []
        }
        return modules
    }

    struct ScanError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

extension Optional {
    fileprivate func orThrow(_ message: String) throws -> Wrapped {
        guard let value = self else { throw FoundationImportScan.ScanError(message) }
        return value
    }
}

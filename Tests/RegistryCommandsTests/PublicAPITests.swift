import Foundation
import OSSBTestSupport
import Testing

/// `public` means the products' API; cross-module plumbing is `package` (docs/architecture.md, "Access levels").
/// docs/public-api.txt lists every `public` declaration of Sources/; a declaration made `public` without adding it
/// there, or one removed without taking it out, fails this test. After a deliberate change, regenerate the list
/// with `OSSB_UPDATE_PUBLIC_API=1 swift test --filter PublicAPITests` and review its diff.
@Suite struct PublicAPITests {
    static let sources = "\(LinkageTests.packageRoot)/Sources"
    static let allowList = "\(LinkageTests.packageRoot)/docs/public-api.txt"

    @Test func everyPublicDeclarationIsInTheAllowList() throws {
        let actual = try PublicDeclarationScan.declarations(under: Self.sources)
        #expect(
            actual.contains("AuthCore/Credentials/Credentials.swift: struct Credentials"), "scanned \(actual.count)")
        if ProcessInfo.processInfo.environment["OSSB_UPDATE_PUBLIC_API"] == "1" {
            let header = "# The public API of the library products, one declaration a line (see PublicAPITests).\n"
            try Data((header + actual.joined(separator: "\n") + "\n").utf8).write(
                to: URL(fileURLWithPath: Self.allowList))
        }
        let allowed = try String(contentsOfFile: Self.allowList, encoding: .utf8).split(separator: "\n")
            .map(String.init).filter { !$0.hasPrefix("#") && !$0.isEmpty }
        let (added, removed) = PublicDeclarationScan.difference(actual: actual, allowed: allowed)
        #expect(
            added == [],
            "new public declarations: make them `package` unless a user of the libraries calls them; if so, add them to docs/public-api.txt"
        )
        #expect(removed == [], "no longer public: remove these lines from docs/public-api.txt")
        #expect(
            !actual.contains { $0.contains(": ? ") },
            "declarations the scan could not read: \(actual.filter { $0.contains(": ? ") })")
    }

    /// The check on a module with one new `public` function: it is named, and neither the `package` one, the
    /// commented-out one, a string, nor a reformatted signature of an allowed declaration counts.
    @Test func anUnexpectedPublicDeclarationIsNamed() throws {
        let module = TemporaryDirectory()
        try module.write(
            "Tool/Tool.swift",
            """
            /// A tool.
            public struct Tool: Sendable {
                /// Makes one.
                @inlinable public init(
                    name: String) {}
                public private(set) var name = "public var fake"
                package func plumbing() {}
                // public func commentedOut()
                @discardableResult public static func leaked(_ x: Int) -> Int { x }
                public class func classMethod() {}
                public static func == (a: Tool, b: Tool) -> Bool { true }
                public init?<S: Sequence>(_ s: S) { nil }
            }
            public extension Tool {}
            """)
        let actual = try PublicDeclarationScan.declarations(under: module.path)
        #expect(
            actual == [
                "Tool/Tool.swift: extension Tool", "Tool/Tool.swift: func ==", "Tool/Tool.swift: func classMethod",
                "Tool/Tool.swift: func leaked",
                "Tool/Tool.swift: init", "Tool/Tool.swift: init?", "Tool/Tool.swift: struct Tool",
                "Tool/Tool.swift: var name",
            ])
        let allowed = [
            "Tool/Tool.swift: struct Tool", "Tool/Tool.swift: init", "Tool/Tool.swift: var name",
            "Tool/Tool.swift: extension Tool", "Tool/Tool.swift: func classMethod", "Tool/Tool.swift: func gone",
            "Tool/Tool.swift: func ==", "Tool/Tool.swift: init?",
        ]
        let (added, removed) = PublicDeclarationScan.difference(actual: actual, allowed: allowed)
        #expect(added == ["Tool/Tool.swift: func leaked"])
        #expect(removed == ["Tool/Tool.swift: func gone"])
    }
}

import Foundation
import Testing

/// Bad input for every action of the writable helper: one clear line on stdout, exit 1, nothing on stderr
/// (no crash, no stack trace), and the credentials file byte-for-byte unchanged.
@Suite struct BadInputProcessTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let label: String
        let arguments: [String]
        let stdin: [UInt8]
        let expected: String?  // exact stdout line when the protocol fixes it
        var testDescription: String { label }
    }

    static let huge = Array(repeating: UInt8(ascii: "a"), count: 3 << 20)
    static let cases: [Case] = [
        Case(label: "store, empty stdin", arguments: ["store"], stdin: [], expected: nil),
        Case(
            label: "store, truncated JSON", arguments: ["store"],
            stdin: Array(#"{"ServerURL":"r","Username":"u""#.utf8), expected: nil),
        Case(label: "store, not JSON", arguments: ["store"], stdin: Array("ServerURL=r".utf8), expected: nil),
        Case(label: "store, JSON array", arguments: ["store"], stdin: Array("[]".utf8), expected: nil),
        Case(
            label: "store, number for Secret", arguments: ["store"],
            stdin: Array(#"{"ServerURL":"r","Username":"u","Secret":1}"#.utf8), expected: nil),
        Case(
            label: "store, invalid UTF-8", arguments: ["store"],
            stdin: Array(#"{"ServerURL":"r","Username":""#.utf8) + [0xFF, 0xFE] + Array(#"","Secret":"s"}"#.utf8),
            expected: nil),
        Case(
            label: "store, missing ServerURL", arguments: ["store"],
            stdin: Array(#"{"Username":"u","Secret":"s"}"#.utf8), expected: "no credentials server URL"),
        Case(
            label: "store, missing Username", arguments: ["store"],
            stdin: Array(#"{"ServerURL":"r","Secret":"s"}"#.utf8), expected: "no credentials username"),
        Case(label: "store, huge input", arguments: ["store"], stdin: huge, expected: nil),
        Case(label: "get, empty stdin", arguments: ["get"], stdin: [], expected: "no credentials server URL"),
        Case(
            label: "get, blank stdin", arguments: ["get"], stdin: Array(" \n\t".utf8),
            expected: "no credentials server URL"),
        Case(label: "get, invalid UTF-8", arguments: ["get"], stdin: [0x72, 0xC3, 0x28], expected: nil),
        Case(label: "get, huge input", arguments: ["get"], stdin: huge, expected: nil),
        Case(label: "get, two lines", arguments: ["get"], stdin: Array("a.example\nb.example\n".utf8), expected: nil),
        Case(label: "erase, empty stdin", arguments: ["erase"], stdin: [], expected: "no credentials server URL"),
        Case(label: "erase, invalid UTF-8", arguments: ["erase"], stdin: [0xFF], expected: nil),
        Case(
            label: "unknown action", arguments: ["bogus"], stdin: [],
            expected: "Usage: docker-credential-ossb-file <store|get|erase|list|version>"),
        Case(
            label: "no action", arguments: [], stdin: [],
            expected: "Usage: docker-credential-ossb-file <store|get|erase|list|version>"),
        Case(
            label: "extra arguments", arguments: ["get", "r.example"], stdin: Array("r.example".utf8),
            expected: "Usage: docker-credential-ossb-file <store|get|erase|list|version>"),
    ]

    @Test(arguments: cases)
    func rejectedCleanly(_ c: Case) throws {
        let dir = TemporaryDirectory()
        let seed = #"{"ServerURL":"seed.example","Username":"seed","Secret":"seed-secret"}"#
        let env = ["HOME": dir.path]
        let helper = ChildProcess.product("docker-credential-ossb-file")
        #expect(try ChildProcess.run(helper, ["store"], input: seed, environment: env).status == 0)
        let before = try dir.read(".ossb/credentials.json")

        let result = try ChildProcess.run(helper, c.arguments, stdin: c.stdin, environment: env)
        result.expectCleanRejection(c.expected)
        #expect(try dir.read(".ossb/credentials.json") == before)
    }

    @Test func corruptStoreFileIsNeverOverwrittenByTheHelper() throws {
        let dir = TemporaryDirectory()
        try dir.write(".ossb/credentials.json", "{\"auths\": {\"x\": ")
        let helper = ChildProcess.product("docker-credential-ossb-file")
        let env = ["HOME": dir.path]
        for (action, input) in [
            ("store", #"{"ServerURL":"r","Username":"u","Secret":"p"}"#), ("get", "r"), ("erase", "r"), ("list", ""),
        ] {
            let result = try ChildProcess.run(helper, [action], input: input, environment: env)
            #expect(result.status == 1)
            #expect(result.stdout.contains("credentials.json is not valid JSON"), "\(action): \(result)")
            #expect(result.stdout.contains("left untouched"))
        }
        #expect(try dir.read(".ossb/credentials.json") == "{\"auths\": {\"x\": ")
    }
}

import Testing

@testable import AuthCore

@Suite struct JSONParserTests {
    @Test func parsesNestedDocumentKeepingOrderAndNumbers() throws {
        let doc = try JSONParser.parse(#"{"b": 1.50, "a": [true, null, "x"], "c": {"z": -0e+3}}"#)
        let object = try #require(doc.objectValue)
        #expect(object.names == ["b", "a", "c"])
        #expect(object["b"] == .number("1.50"))
        #expect(object["a"] == .array([.bool(true), .null, .string("x")]))
        #expect(object["c"]?.objectValue?["z"] == .number("-0e+3"))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let doc = try JSONParser.parse(#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#)
        #expect(doc == .string("a\"\\/\u{08}\u{0C}\n\r\té😀"))
    }

    @Test func loneSurrogateBecomesReplacementCharacter() throws {
        #expect(try JSONParser.parse(#""\ud800x""#) == .string("\u{FFFD}x"))
    }

    @Test(arguments: [
        ("", "the document is empty"),
        ("{", "unexpected end of input inside an object"),
        (#"{"a" 1}"#, "expected ':' after a member name"),
        (#"{"a":1,}"#, "expected a member name in quotes"),
        ("[1 2]", "expected ',' or ']' in an array"),
        ("01", "unexpected data after the JSON value"),
        ("1.", "invalid number"),
        (#""abc"#, "unterminated string"),
        ("\"a\u{01}\"", "control character in a string"),
        (#""\x""#, "invalid escape sequence in a string"),
        ("tru", "invalid literal"),
        ("{} {}", "unexpected data after the JSON value"),
    ])
    func rejectsMalformedInput(input: String, reason: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(input) }
        do {
            _ = try JSONParser.parse(input)
        } catch {
            #expect(error.reason == reason)
        }
    }

    @Test func rejectsInvalidUTF8WithPosition() {
        let bytes: [UInt8] = Array("{\n\"a\": \"".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        #expect(throws: JSONParseError(reason: "invalid UTF-8", line: 2, column: 7)) {
            try JSONParser.parse(bytes)
        }
        // Overlong encoding of '/' and an encoded surrogate are invalid too.
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC0, 0xAF, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) }
    }

    @Test func refusesDeepNesting() {
        let deep =
            String(repeating: "[", count: JSONParser.maximumDepth + 1)
            + String(repeating: "]", count: JSONParser.maximumDepth + 1)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try JSONParser.parse(fine) }
    }

    @Test func errorNeverQuotesTheInput() {
        do {
            _ = try JSONParser.parse(#"{"Secret": "hunter2-very-secret" oops}"#)
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func duplicateMembersLastWinsAndCaseInsensitiveLookup() throws {
        let object = try #require(
            try JSONParser.parse(#"{"serverurl":"a","ServerURL":"b","SERVERURL":"c"}"#).objectValue)
        #expect(object.valueIgnoringCase("ServerURL") == .string("c"))
        #expect(object["ServerURL"] == .string("b"))
    }
}

@Suite struct JSONWriterTests {
    @Test func escapesAsGoDoes() {
        #expect(JSONWriter.quoted("<token>") == #""\u003ctoken\u003e""#)
        #expect(JSONWriter.quoted("a&b\u{2028}\u{01}\"\\\n") == #""a\u0026b\u2028\u0001\"\\\n""#)
        #expect(JSONWriter.quoted("é/") == "\"é/\"")
    }

    @Test func indentsWithTabsLikeDockerConfig() throws {
        let doc = try JSONParser.parse(#"{"auths":{"r":{"auth":"x"}},"empty":{},"list":[]}"#)
        #expect(
            JSONWriter.indented(doc)
                == "{\n\t\"auths\": {\n\t\t\"r\": {\n\t\t\t\"auth\": \"x\"\n\t\t}\n\t},\n\t\"empty\": {},\n\t\"list\": []\n}"
        )
    }

    @Test func roundTripsThroughParser() throws {
        let text = #"{"z":[1,2.5e3,{"k":"\u003c"}],"a":null,"b":false}"#
        let doc = try JSONParser.parse(text)
        #expect(JSONWriter.compact(doc) == text)
        #expect(try JSONParser.parse(JSONWriter.indented(doc)) == doc)
    }

    @Test func settingAMemberReplacesInPlaceAndRemovesDuplicates() {
        var object = JSONObject([
            .init(name: "a", value: .null), .init(name: "b", value: .null), .init(name: "a", value: .bool(true)),
        ])
        object["a"] = .string("x")
        #expect(object.names == ["b", "a"])
        object["c"] = .null
        #expect(object.names == ["b", "a", "c"])
        object["b"] = nil
        #expect(object.names == ["a", "c"])
    }
}

// libFuzzer entry for the JSON parser and writer (scripts/fuzz.sh builds it with their sources). Every input must
// either fail to parse with an error, or parse into a value that the writer prints, in both forms, as text that
// parses back to the same value; printing that again gives the same text. Never a trap.

@_cdecl("LLVMFuzzerTestOneInput")
public func jsonFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSONParser.parse(bytes) else { return 0 }
    for written in [JSONWriter.compact(value), JSONWriter.indented(value)] {
        let again: JSONValue
        do {
            again = try JSONParser.parse(Array(written.utf8))
        } catch {
            fatalError("the writer's output does not parse: \(error) in \(written.debugDescription)")
        }
        if again != value { fatalError("round trip changed \(value) into \(again)") }
    }
    let compact = JSONWriter.compact(value)
    if let reparsed = try? JSONParser.parse(Array(compact.utf8)), JSONWriter.compact(reparsed) != compact {
        fatalError("printing is not stable for \(compact.debugDescription)")
    }
    return 0
}

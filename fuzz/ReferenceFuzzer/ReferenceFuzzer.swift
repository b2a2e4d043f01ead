// libFuzzer entry for the image reference parser (scripts/fuzz.sh builds it against the RegistryVocabulary module).
// Every input must either parse into a reference that re-parses to itself, or fail with an error: never trap.

import RegistryVocabulary

@_cdecl("LLVMFuzzerTestOneInput")
public func referenceFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let reference = try ImageReference.parse(text)
        // The canonical form must parse back to the same reference.
        let again = try ImageReference.parse(reference.description)
        if again != reference { fatalError("round trip changed \(reference) into \(again)") }
        _ = reference.familiarName
    } catch {
        _ = error.description
    }
    return 0
}

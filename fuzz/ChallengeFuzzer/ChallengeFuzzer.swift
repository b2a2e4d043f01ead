// libFuzzer entry for the WWW-Authenticate parser and the scope grammar. scripts/fuzz.sh builds it against the
// RegistryVocabulary module, which it compiles on its own (the module imports nothing), so it needs no package build.

import RegistryVocabulary

@_cdecl("LLVMFuzzerTestOneInput")
public func challengeFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let challenges = AuthChallenge.parse(text)
    for challenge in challenges {
        precondition(challenge.scheme == challenge.scheme.lowercased(), "schemes are lower-cased")
        if let bearer = BearerChallenge(challenge) {
            precondition(!bearer.realm.isEmpty, "a bearer challenge always has a realm")
            // Printing and re-parsing a scope set must give the same set: the wire form round-trips.
            precondition(ScopeSet(parsing: bearer.scope.description) == bearer.scope, "scope round trip")
        }
    }
    let scopes = ScopeSet(parsing: text)
    precondition(ScopeSet(parsing: scopes.description) == scopes, "scope round trip")
    return 0
}

// libFuzzer entry for the credential-helper protocol: CredentialHelper.run with arbitrary standard input for each
// action, against a store in memory. scripts/fuzz.sh builds it with AuthCore's sources (FoundationEssentials and
// Glibc only). The first byte picks the action, the rest is stdin. Whatever arrives, the helper must answer with
// exit status 0 or 1, a failure must be one line on stdout, and a credential it stored must be the one `get`
// gives back. Never a trap.

/// A credential store in a dictionary, matching addresses as the real stores do.
final class MemoryStore: CredentialStore, @unchecked Sendable {
    var name: String { "memory" }
    var entries: [String: HelperCredential] = [:]

    func get(_ serverURL: String) throws -> HelperCredential? {
        guard let key = ServerAddress.bestKey(for: serverURL, in: entries.keys) else { return nil }
        return entries[key]
    }

    func store(_ credential: HelperCredential) throws { entries[credential.serverURL] = credential }

    func erase(_ serverURL: String) throws {
        for key in entries.keys where ServerAddress.matches(key, serverURL) { entries[key] = nil }
    }

    func list() throws -> [String: String] { entries.mapValues(\.username) }
}

let actions = ["store", "get", "erase", "list", "version", "--help", "bogus"]
nonisolated(unsafe) let store = MemoryStore()

@_cdecl("LLVMFuzzerTestOneInput")
public func helperProtocolFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let action = actions[Int(data[0]) % actions.count]
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let helper = CredentialHelper(name: "docker-credential-fuzz", version: "0")
    let outcome = helper.run(arguments: [action], readInput: { input }, makeStore: { store })
    precondition(outcome.status == 0 || outcome.status == 1, "status \(outcome.status)")
    if outcome.status == 1 {
        precondition(
            outcome.stdout.hasSuffix("\n") && outcome.stdout.dropLast().allSatisfy { !$0.isNewline },
            "a failure is one line: \(outcome.stdout.debugDescription)")
    }
    if action == "store", outcome.status == 0, let stored = try? CredentialHelper.credential(from: input) {
        // What was stored must come back from `get` under the same address.
        let address = stored.serverURL.trimmingWhitespace()
        if address == stored.serverURL, !address.isEmpty, !address.contains(where: \.isNewline) {
            let got = helper.run(arguments: ["get"], readInput: { Array(address.utf8) }, makeStore: { store })
            precondition(got.status == 0, "stored \(address.debugDescription) but get says \(got.stdout)")
            let reply = try? JSONParser.parse(Array(got.stdout.utf8)).objectValue
            precondition(reply?["Secret"]?.stringValue == stored.secret, "get returned another secret")
        }
    }
    if store.entries.count > 1000 { store.entries = [:] }
    return 0
}

import Testing

@testable import AuthCore

@Suite struct SecretMemoryTests {
    @Test func wipeZeroesEveryByteAndKeepsTheCount() {
        var bytes = Array("ServerURL secret-to-wipe".utf8)
        SecretMemory.wipe(&bytes)
        #expect(bytes.count == 24 && bytes.allSatisfy { $0 == 0 })
        var empty: [UInt8] = []
        SecretMemory.wipe(&empty)
        #expect(empty.isEmpty)
    }
}

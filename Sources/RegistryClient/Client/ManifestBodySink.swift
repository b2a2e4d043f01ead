import AuthCore

/// Collects a manifest's (2xx) body in memory and stops the transfer at a byte limit: the size an index entry
/// declares, or the largest manifest accepted. Only successful bodies come here, so an error page or a 401
/// body larger than a small manifest still arrives whole and is reported as what it is.
final class ManifestBodySink: HTTPBodySink, @unchecked Sendable {
    /// The most bytes accepted.
    let limit: Int
    /// What arrived.
    private(set) var bytes: [UInt8] = []

    init(limit: Int) {
        self.limit = limit
    }

    func write(_ chunk: UnsafeRawBufferPointer) throws {
        guard bytes.count + chunk.count <= limit else { throw ManifestTooLarge(limit: limit) }
        bytes.append(contentsOf: chunk)
    }

    /// Forgets a partial body before a retry.
    func reset() {
        bytes = []
    }
}

/// The registry sent more manifest bytes than allowed.
struct ManifestTooLarge: Error, CustomStringConvertible {
    let limit: Int
    var description: String { "the manifest is larger than \(limit) bytes" }
}

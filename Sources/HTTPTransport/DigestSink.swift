import AuthCore

/// A response sink that only hashes and counts: verifies a blob without storing it.
public final class DigestSink: HTTPBodySink, @unchecked Sendable {
    private let digest = SHA256Digest()
    /// Bytes received.
    public private(set) var count: Int64 = 0

    /// Creates an empty sink.
    public init() {}

    public func write(_ chunk: UnsafeRawBufferPointer) throws {
        digest.update(chunk)
        count += Int64(chunk.count)
    }

    /// Finishes the digest: `sha256:<hex>`.
    public func finish() -> String { digest.finish() }
}

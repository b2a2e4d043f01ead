import CCrypto

/// Incremental SHA-256 over OpenSSL's EVP interface (about 1.7 GB/s here with the CPU's SHA instructions, where
/// a plain Swift implementation manages about 200 MiB/s).
public final class SHA256Digest: @unchecked Sendable {
    private let context: OpaquePointer

    /// Starts a digest.
    public init() {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds bytes.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    }

    /// Adds bytes.
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Finishes the digest; the object must not be updated afterwards.
    /// - Returns: `sha256:<64 hex digits>`, the form registries use.
    public func finish() -> String {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &out, &length)
        let hex = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(64)
        for byte in out.prefix(Int(length)) {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0xF)])
        }
        return "sha256:" + String(decoding: text, as: UTF8.self)
    }

    /// The digest of bytes in memory.
    public static func digest(_ bytes: [UInt8]) -> String {
        let digest = SHA256Digest()
        digest.update(bytes)
        return digest.finish()
    }
}

import AuthCore

/// Which boot of the machine this is: the kernel's random `boot_id`, new at every start.
///
/// A blob kept in the cache without a sync of its own (a copy of a pulled layout's file on another file system,
/// or of a blob `copy --cache` streamed) is trusted only while the machine has not restarted since it was
/// written: until then the kernel serves the bytes that were verified, whether or not they have reached the disk
/// yet; after a power cut they may not have, so the stamp no longer matches and the blob is hashed again before
/// use (`BlobCache.isVerified`).
enum BootIdentity {
    /// This boot's identity, or nil where `/proc` does not tell (then such blobs get no stamp: hashed on use).
    static let current: String? = {
        guard let bytes = (try? FileIO.readIfExists("/proc/sys/kernel/random/boot_id", limit: 128)) ?? nil else {
            return nil
        }
        let text = String(decoding: bytes, as: UTF8.self).filter { $0.isHexDigit || $0 == "-" }
        return text.count == 36 ? text : nil
    }()
}

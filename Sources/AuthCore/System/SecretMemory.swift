import Glibc

/// Wipes buffers that held secrets (a request on stdin, a credentials file's bytes) once they are parsed, so
/// that a later memory disclosure finds less. Swift strings made from them cannot be wiped; the buffers this
/// code owns can, with `explicit_bzero`, which the compiler may not remove as a dead store.
package enum SecretMemory {
    /// Overwrites every byte with zero (the count is kept).
    package static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { explicit_bzero(base, buffer.count) }
        }
    }
}

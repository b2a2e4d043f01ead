import AuthCore
import CCrypto

/// SHA-256, HMAC-SHA256 and DER encoding from OpenSSL's libcrypto, for request signing, and SHA-1 for the names the AWS tools give
/// their SSO token cache files and certificate thumbprints: the cloud helpers link libcrypto anyway (through libcurl), and a linked, reviewed
/// implementation beats a hand-written one.
package enum CloudCrypto {
    /// SHA-256 of `bytes`.
    package static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { input in
            _ = SHA256(input.baseAddress, input.count, &out)
        }
        return out
    }

    /// SHA-1 of `bytes`. Only to compute a name another program chose (`~/.aws/sso/cache/<sha1>.json`, the
    /// thumbprint Entra ID knows a certificate by), never for anything that must resist collisions.
    package static func sha1(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(SHA_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { input in
            _ = SHA1(input.baseAddress, input.count, &out)
        }
        return out
    }

    /// HMAC-SHA256 of `message` under `key`.
    package static func hmacSHA256(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                _ = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), m.baseAddress, m.count, &out, &length)
            }
        }
        return Array(out.prefix(Int(length)))
    }

    /// The output of one of OpenSSL's `i2d_*` encoders, given as `{ i2d_X509(certificate, $0) }`: called once for
    /// the length, then to write; `nil` when it fails.
    package static func der(_ encode: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32) -> [UInt8]? {
        let length = encode(nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return encode(&cursor)
        }
        return written == length ? der : nil
    }

    /// The first 16 hexadecimal digits of the SHA-256 of `bytes`: how a token cache identity names a secret, a
    /// command line or a file's content without holding it (a changed secret or file is a new identity).
    package static func fingerprint(_ bytes: [UInt8]) -> String {
        String(hex(sha256(bytes)).prefix(16))
    }

    /// `fingerprint` of a file's content (up to `limit` bytes; an absent or unreadable file as empty, reported
    /// where the file is used), the bytes wiped after.
    package static func fingerprint(file path: String, limit: Int = 1 << 20) -> String {
        var bytes = (try? FileIO.readIfExists(path, limit: limit)) ?? []
        defer { SecretMemory.wipe(&bytes) }
        return fingerprint(bytes)
    }

    /// Lower-case hexadecimal.
    package static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

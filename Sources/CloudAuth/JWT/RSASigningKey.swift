import AuthCore
import CCrypto

/// An RSA private key read from PEM (PKCS#8 `BEGIN PRIVATE KEY`, as in Google service account key files, or
/// PKCS#1 `BEGIN RSA PRIVATE KEY`), signing RS256 (RSASSA-PKCS1-v1_5 with SHA-256). OpenSSL parses the key and
/// signs; nothing here does arithmetic on it.
package struct RSASigningKey: Sendable {
    /// The PEM text; parsed afresh for each signature, which happens once per token (an hour at most).
    private let pem: String

    /// Checks that `pem` holds an unencrypted RSA private key.
    /// - Throws: `RSASigningKey.Failure` saying what is wrong with the key (never the key itself).
    package init(pem: String) throws(Failure) {
        self.pem = pem
        _ = try Self.withKey(pem) { _ in 0 }
    }

    /// Decrypts an encrypted PEM private key (`BEGIN ENCRYPTED PRIVATE KEY`, or PKCS#1 with `Proc-Type: 4,ENCRYPTED`)
    /// with `passphrase`, and keeps it unencrypted in memory, as a key read from an unencrypted file is kept.
    /// - Throws: `RSASigningKey.Failure` when the passphrase does not decrypt it or it is not an RSA key.
    package init(pem: String, passphrase: String) throws(Failure) {
        let key = try Self.parse(pem, passphrase: passphrase)
        defer { EVP_PKEY_free(key) }
        try self.init(key: key)
    }

    /// A key OpenSSL has already read (from a PKCS#12 file, or an encrypted PEM), kept as unencrypted PKCS#8 PEM in
    /// memory like one read from a file; the caller still owns and frees `key`.
    /// - Throws: `RSASigningKey.Failure` when it is not an RSA key or cannot be encoded.
    package init(key: OpaquePointer) throws(Failure) {
        try Self.requireRSA(key)
        guard let bio = BIO_new(BIO_s_mem()) else { throw Failure("OpenSSL could not allocate a buffer") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) == 1 else {
            throw Failure("OpenSSL could not encode it (\(Self.drainErrors()))")
        }
        var bytes = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
        let read = BIO_read(bio, &bytes, Int32(bytes.count))
        defer { SecretMemory.wipe(&bytes) }
        guard read == Int32(bytes.count) else { throw Failure("OpenSSL could not encode it (short read)") }
        try self.init(pem: String(decoding: bytes, as: UTF8.self))
    }

    /// The RS256 signature of `message`.
    /// - Throws: `RSASigningKey.Failure` when OpenSSL cannot sign.
    package func signRS256(_ message: [UInt8]) throws(Failure) -> [UInt8] {
        try Self.withKey(pem) { (key: OpaquePointer) throws(Failure) -> [UInt8] in
            guard let context = EVP_MD_CTX_new() else { throw Failure("OpenSSL could not allocate a signing context") }
            defer { EVP_MD_CTX_free(context) }
            guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1 else {
                throw Failure("OpenSSL could not start an RS256 signature (\(Self.drainErrors()))")
            }
            var length = 0
            guard EVP_DigestSign(context, nil, &length, message, message.count) == 1 else {
                throw Failure("OpenSSL could not size the RS256 signature (\(Self.drainErrors()))")
            }
            var signature = [UInt8](repeating: 0, count: length)
            guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else {
                throw Failure("OpenSSL could not sign (\(Self.drainErrors()))")
            }
            return Array(signature.prefix(length))
        }
    }

    /// The DER `SubjectPublicKeyInfo` of the key's public half, to compare with a certificate's.
    /// - Throws: `RSASigningKey.Failure` when OpenSSL cannot encode it.
    package func publicKeyDER() throws(Failure) -> [UInt8] {
        try Self.withKey(pem) { (key: OpaquePointer) throws(Failure) -> [UInt8] in
            guard let der = Self.publicKeyDER(key) else {
                throw Failure("OpenSSL could not encode its public key (\(Self.drainErrors()))")
            }
            return der
        }
    }

    /// The DER `SubjectPublicKeyInfo` of an `EVP_PKEY` (a private key's public half, or a certificate's key).
    package static func publicKeyDER(_ key: OpaquePointer) -> [UInt8]? {
        CloudCrypto.der { i2d_PUBKEY(key, $0) }
    }

    /// Parses the PEM into an `EVP_PKEY` for the duration of `body`.
    private static func withKey<T>(_ pem: String, _ body: (OpaquePointer) throws(Failure) -> T) throws(Failure) -> T {
        let key = try parse(pem, passphrase: nil)
        defer { EVP_PKEY_free(key) }
        try requireRSA(key)
        return try body(key)
    }

    /// Refuses a key RS256 cannot use.
    private static func requireRSA(_ key: OpaquePointer) throws(Failure) {
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA else {
            throw Failure("its private key is not an RSA key; the token endpoint takes RS256 signatures only")
        }
    }

    /// Parses the first private key in `pem` into an `EVP_PKEY` the caller frees; an encrypted one only with
    /// `passphrase`.
    private static func parse(_ pem: String, passphrase: String?) throws(Failure) -> OpaquePointer {
        var bytes = Array(pem.utf8)
        let key: OpaquePointer? = bytes.withUnsafeMutableBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            // A passphrase (empty when none was given) instead of a callback: OpenSSL would otherwise prompt on the
            // terminal for an encrypted key, and a credential helper must never do that.
            return (passphrase ?? "").withCString { phrase in
                PEM_read_bio_PrivateKey(bio, nil, nil, UnsafeMutableRawPointer(mutating: phrase))
            }
        }
        // Wipe our copy of the key text; the caller's String is out of reach.
        SecretMemory.wipe(&bytes)
        guard let key else {
            let reasons = drainErrors()
            if passphrase != nil { throw Failure("the password does not decrypt its private key (\(reasons))") }
            throw Failure("it holds no unencrypted PEM private key (\(reasons))")
        }
        // OpenSSL 3's decoders may queue errors from the formats they tried before the one that fit.
        ERR_clear_error()
        return key
    }

    /// OpenSSL's queued error reasons, cleared: libcurl reads the same per-thread queue for TLS.
    package static func drainErrors() -> String {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            if let reason = ERR_reason_error_string(code) { reasons.append(String(cString: reason)) }
        }
        return reasons.isEmpty ? "no reason given" : reasons.joined(separator: "; ")
    }

    /// Why a key cannot be used; never holds key material.
    package struct Failure: Error, Sendable, CustomStringConvertible {
        /// What is wrong.
        package let description: String
        init(_ description: String) { self.description = description }
    }
}

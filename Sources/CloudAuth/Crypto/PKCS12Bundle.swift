import AuthCore
import CCrypto

/// What a PKCS#12 (PFX) file holds, as OpenSSL reads it: a private key, the certificate it belongs to, and any
/// further certificates (its chain). Windows, the Azure portal and Key Vault export certificates this way, under a
/// password (often empty). OpenSSL checks the file's MAC, decrypts it and parses it; nothing here handles the
/// cryptography.
struct PKCS12Bundle {
    /// The private key.
    let key: RSASigningKey
    /// The DER of the key's certificate, then of the other certificates in the file.
    let certificates: [[UInt8]]

    /// Why a file cannot be used; never holds key material or the password.
    enum Failure: Error {
        /// The bytes are not PKCS#12.
        case notPKCS12
        /// The file's integrity check fails under the password given (or under no password).
        case wrongPassword
        /// The file holds no private key, or no certificate for it.
        case incomplete(String)
        /// OpenSSL refused it otherwise (its reasons).
        case unusable(String)
    }

    /// Reads `der` with `password`; without one, the file may be protected by none or by an empty one (OpenSSL
    /// tries both).
    /// - Throws: `PKCS12Bundle.Failure`.
    init(der: [UInt8], password: String?) throws(Failure) {
        guard
            let file = der.withUnsafeBufferPointer({ buffer -> OpaquePointer? in
                var cursor = buffer.baseAddress
                return d2i_PKCS12(nil, &cursor, buffer.count)
            })
        else {
            _ = RSASigningKey.drainErrors()
            throw .notPKCS12
        }
        defer { PKCS12_free(file) }
        let password = password ?? ""
        if PKCS12_mac_present(file) == 1 {
            let verified =
                password.isEmpty
                ? PKCS12_verify_mac(file, nil, 0) == 1 || PKCS12_verify_mac(file, "", 0) == 1
                : PKCS12_verify_mac(file, password, -1) == 1
            guard verified else {
                _ = RSASigningKey.drainErrors()
                throw .wrongPassword
            }
        }
        var parsed = Self.parse(file, password)
        if parsed == nil, Self.loadLegacyAlgorithms() {
            // Files exported by older Windows and OpenSSL 1.x encrypt with RC2 or 3DES, which OpenSSL 3 keeps
            // in its legacy provider; the MAC already proved the password right.
            parsed = Self.parse(file, password)
        }
        guard let (key, certificate, chain) = parsed else {
            throw .unusable(RSASigningKey.drainErrors())
        }
        defer {
            EVP_PKEY_free(key)
            X509_free(certificate)
            ossb_x509_stack_free(chain)
        }
        guard let key else { throw .incomplete("holds no private key") }
        guard let certificate, let leaf = CloudCrypto.der({ i2d_X509(certificate, $0) }) else {
            throw .incomplete("holds no certificate for its private key")
        }
        do {
            self.key = try RSASigningKey(key: key)
        } catch {
            throw .unusable(error.description)
        }
        var certificates = [leaf]
        if let chain {
            for index in 0..<ossb_x509_stack_count(chain) {
                if let der = CloudCrypto.der({ i2d_X509(ossb_x509_stack_value(chain, index), $0) }) {
                    certificates.append(der)
                }
            }
        }
        self.certificates = certificates
    }

    /// `PKCS12_parse`'s key, certificate and chain (each may be absent), or nil when it fails.
    private static func parse(_ file: OpaquePointer, _ password: String)
        -> (OpaquePointer?, OpaquePointer?, OpaquePointer?)?
    {
        var key: OpaquePointer?
        var certificate: OpaquePointer?
        var chain: OpaquePointer?
        guard PKCS12_parse(file, password, &key, &certificate, &chain) == 1 else { return nil }
        return (key, certificate, chain)
    }

    /// Makes OpenSSL's legacy algorithms available to this process (keeping the default ones); false when the
    /// legacy provider is not installed or was loaded already.
    private static func loadLegacyAlgorithms() -> Bool {
        guard OSSL_PROVIDER_available(nil, "legacy") == 0 else { return false }
        _ = RSASigningKey.drainErrors()
        return OSSL_PROVIDER_try_load(nil, "legacy", 1) != nil
    }
}

import AuthCore
import CCrypto
import FoundationEssentials

/// A service principal's certificate credential (`AZURE_CLIENT_CERTIFICATE_PATH`): the certificate uploaded to the
/// app registration and its RSA private key, in a PEM file (in either order, the key unencrypted or encrypted under
/// `AZURE_CLIENT_CERTIFICATE_PASSWORD`) or a PKCS#12 (PFX) file (under that password, or none). Entra ID takes a
/// client assertion signed with the key and naming the certificate by its SHA-1 thumbprint (`x5t`). OpenSSL parses
/// the files, decrypts, encodes the certificate and hashes it; nothing here handles key material itself.
struct AzureClientCertificate {
    /// The file, for messages and explanations.
    let path: String
    /// The private key.
    let key: RSASigningKey
    /// The DER of the certificate whose public key is the key's, then of any other certificates in the file.
    let certificates: [[UInt8]]

    /// How long an assertion is valid: Entra ID wants short-lived ones, and each is used once.
    static let assertionLifetime: Int64 = 600

    /// The variable holding the password of a PFX file or an encrypted key, as Azure's SDKs name it.
    static let passwordVariable = "AZURE_CLIENT_CERTIFICATE_PASSWORD"

    /// The SHA-1 of the certificate's DER: what `x5t` carries and the portal lists (in hexadecimal) as the
    /// certificate's thumbprint. SHA-1 because Entra ID names certificates so, not to resist collisions.
    var thumbprint: [UInt8] { CloudCrypto.sha1(certificates[0]) }

    /// Reads and checks the file; `password` (never shown) unlocks a PFX file or an encrypted PEM key.
    /// - Throws: `CloudAuthError`, one line naming the file, what is wrong and what to do; never key material.
    init(path: String, password: String?, cloud: String) throws(CloudAuthError) {
        self.path = path
        let read: [UInt8]?
        do {
            read = try FileIO.readIfExists(path, limit: 1 << 20)
        } catch {
            throw CloudAuthError(
                cloud: cloud,
                "Azure: cannot read AZURE_CLIENT_CERTIFICATE_PATH \(path) (\(error)); make it readable by this user")
        }
        guard var bytes = read else {
            throw CloudAuthError(
                cloud: cloud,
                "Azure: AZURE_CLIENT_CERTIFICATE_PATH \(path) does not exist; point it at the PEM or PFX file with the service principal's certificate and private key, or unset it"
            )
        }
        defer { SecretMemory.wipe(&bytes) }
        // PEM is text with `-----BEGIN` armour; a PFX (PKCS#12) file is binary DER.
        if String(decoding: bytes, as: UTF8.self).contains("-----BEGIN ") {
            (key, certificates) = try Self.readPEM(bytes, path: path, password: password, cloud: cloud)
        } else {
            (key, certificates) = try Self.readPKCS12(bytes, path: path, password: password, cloud: cloud)
        }
    }

    /// The key and certificates of a PEM file, the key's own certificate first.
    private static func readPEM(_ bytes: [UInt8], path: String, password: String?, cloud: String)
        throws(CloudAuthError) -> (RSASigningKey, [[UInt8]])
    {
        let certificates = Self.certificates(in: bytes)
        guard !certificates.isEmpty else {
            throw CloudAuthError(
                cloud: cloud,
                "Azure: AZURE_CLIENT_CERTIFICATE_PATH \(path) holds no certificate (BEGIN CERTIFICATE); put the certificate uploaded to the app registration in the file with its private key"
            )
        }
        let text = String(decoding: bytes, as: UTF8.self)
        // Said plainly: OpenSSL's own reason for a file without a key is "unsupported".
        guard text.contains("PRIVATE KEY-----") else {
            throw CloudAuthError(
                cloud: cloud,
                "Azure: AZURE_CLIENT_CERTIFICATE_PATH \(path) holds no private key; put the certificate's private key in the file with it (PKCS#8 or PKCS#1 PEM)"
            )
        }
        // `BEGIN ENCRYPTED PRIVATE KEY` (PKCS#8) or a PKCS#1 key with `Proc-Type: 4,ENCRYPTED`.
        let encrypted = text.contains("ENCRYPTED")
        if encrypted, password == nil {
            throw CloudAuthError(
                cloud: cloud,
                "Azure: the private key in AZURE_CLIENT_CERTIFICATE_PATH \(path) is encrypted; set \(passwordVariable) to its password"
            )
        }
        let key: RSASigningKey
        let publicKey: [UInt8]
        do {
            key = try encrypted ? RSASigningKey(pem: text, passphrase: password ?? "") : RSASigningKey(pem: text)
            publicKey = try key.publicKeyDER()
        } catch {
            let advice =
                encrypted
                ? "set \(passwordVariable) to the password the key was encrypted with"
                : "put the certificate's private key in the file (PKCS#8 or PKCS#1 PEM)"
            throw CloudAuthError(
                cloud: cloud, "Azure: AZURE_CLIENT_CERTIFICATE_PATH \(path) cannot be used: \(error); \(advice)")
        }
        guard let leaf = certificates.firstIndex(where: { $0.publicKey == publicKey }) else {
            throw CloudAuthError(
                cloud: cloud,
                "Azure: the private key in AZURE_CLIENT_CERTIFICATE_PATH \(path) does not belong to its certificate; put the certificate and its own key in the file"
            )
        }
        return (key, [certificates[leaf].der] + certificates.indices.filter { $0 != leaf }.map { certificates[$0].der })
    }

    /// The key and certificates of a PKCS#12 (PFX) file, the key's own certificate first.
    private static func readPKCS12(_ bytes: [UInt8], path: String, password: String?, cloud: String)
        throws(CloudAuthError) -> (RSASigningKey, [[UInt8]])
    {
        do {
            let bundle = try PKCS12Bundle(der: bytes, password: password)
            return (bundle.key, bundle.certificates)
        } catch {
            let reason: String
            switch error {
            case .notPKCS12:
                reason =
                    "is neither PEM nor PKCS#12 (PFX); point it at the certificate and key exported as PEM or PFX"
            case .wrongPassword:
                reason =
                    password == nil
                    ? "is a PFX file protected by a password; set \(passwordVariable) to it"
                    : "is a PFX file that \(passwordVariable) does not open; set it to the password the file was exported with"
            case .incomplete(let what):
                reason = "is a PFX file that \(what); export the certificate with its private key"
            case .unusable(let why):
                reason =
                    "is a PFX file OpenSSL cannot use (\(why)); convert it to PEM with `openssl pkcs12 -in cert.pfx -out cert.pem -nodes`"
            }
            throw CloudAuthError(cloud: cloud, "Azure: AZURE_CLIENT_CERTIFICATE_PATH \(path) \(reason)")
        }
    }

    /// The client assertion for the token endpoint `audience`: RS256, `x5t` naming the certificate (and `x5c`
    /// carrying the certificates when `sendChain`, for subject name/issuer authentication), `iss` = `sub` = the
    /// client, a random `jti`, valid from now for ten minutes.
    func assertion(clientID: String, audience: String, now: Int64, sendChain: Bool, cloud: String)
        throws(CloudAuthError) -> String
    {
        var header: [JSONObject.Member] = [.init(name: "x5t", value: .string(JWT.base64URL(thumbprint)))]
        if sendChain {
            let chain = certificates.map { JSONValue.string(Data($0).base64EncodedString()) }
            header.append(.init(name: "x5c", value: .array(chain)))
        }
        let claims = JSONObject([
            .init(name: "aud", value: .string(audience)), .init(name: "iss", value: .string(clientID)),
            .init(name: "sub", value: .string(clientID)), .init(name: "jti", value: .string(UUID().uuidString)),
            .init(name: "nbf", value: .number(String(now))), .init(name: "iat", value: .number(String(now))),
            .init(name: "exp", value: .number(String(now + Self.assertionLifetime))),
        ])
        do {
            return try JWT.signRS256(claims: claims, keyID: nil, extraHeader: header, key: key)
        } catch {
            throw CloudAuthError(
                cloud: cloud,
                "Azure: cannot sign with the private key in AZURE_CLIENT_CERTIFICATE_PATH \(path): \(error); create a new certificate for the app registration"
            )
        }
    }

    /// Each certificate's DER and its public key's DER, in file order; other PEM blocks (the key) are skipped.
    private static func certificates(in pem: [UInt8]) -> [(der: [UInt8], publicKey: [UInt8]?)] {
        var found: [(der: [UInt8], publicKey: [UInt8]?)] = []
        var pem = pem
        pem.withUnsafeMutableBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return }
            defer { BIO_free(bio) }
            while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
                defer { X509_free(certificate) }
                guard let der = CloudCrypto.der({ i2d_X509(certificate, $0) }) else { continue }
                found.append((der, X509_get0_pubkey(certificate).flatMap(RSASigningKey.publicKeyDER)))
            }
        }
        SecretMemory.wipe(&pem)
        // The loop ends on "no start line", queued like any failure; libcurl reads the same per-thread queue.
        _ = RSASigningKey.drainErrors()
        return found
    }
}

import AuthCore
import CCrypto
import FoundationEssentials

/// A service principal's certificate credential (`AZURE_CLIENT_CERTIFICATE_PATH`): a PEM file holding the
/// certificate uploaded to the app registration and its RSA private key, in either order. Entra ID takes a client
/// assertion signed with the key and naming the certificate by its SHA-1 thumbprint (`x5t`). OpenSSL parses the
/// PEM, encodes the certificate and hashes it; nothing here handles key material itself.
struct AzureClientCertificate {
    /// The file, for messages and explanations.
    let path: String
    /// The private key.
    let key: RSASigningKey
    /// The DER of the certificate whose public key is the key's, then of any other certificates in the file.
    let certificates: [[UInt8]]

    /// How long an assertion is valid: Entra ID wants short-lived ones, and each is used once.
    static let assertionLifetime: Int64 = 600

    /// The SHA-1 of the certificate's DER: what `x5t` carries and the portal lists (in hexadecimal) as the
    /// certificate's thumbprint. SHA-1 because Entra ID names certificates so, not to resist collisions.
    var thumbprint: [UInt8] { CloudCrypto.sha1(certificates[0]) }

    /// Reads and checks the file.
    /// - Throws: `CloudAuthError`, one line naming the file, what is wrong and what to do; never key material.
    init(path: String, cloud: String) throws(CloudAuthError) {
        self.path = path
        let convert = "convert it to PEM with `openssl pkcs12 -in cert.pfx -out cert.pem -nodes`"
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
                "Azure: AZURE_CLIENT_CERTIFICATE_PATH \(path) does not exist; point it at the PEM file with the service principal's certificate and private key, or unset it"
            )
        }
        defer { SecretMemory.wipe(&bytes) }
        // A PFX (PKCS#12) file is binary DER; PEM is text with `-----BEGIN` armour.
        guard String(decoding: bytes, as: UTF8.self).contains("-----BEGIN ") else {
            throw CloudAuthError(
                cloud: cloud,
                "Azure: AZURE_CLIENT_CERTIFICATE_PATH \(path) is not a PEM file (a PFX/PKCS#12 file is not read); \(convert)"
            )
        }
        let certificates = Self.certificates(in: bytes)
        guard !certificates.isEmpty else {
            throw CloudAuthError(
                cloud: cloud,
                "Azure: AZURE_CLIENT_CERTIFICATE_PATH \(path) holds no certificate (BEGIN CERTIFICATE); put the certificate uploaded to the app registration in the file with its private key"
            )
        }
        // Said plainly: OpenSSL's own reason for a file without a key is "unsupported".
        guard String(decoding: bytes, as: UTF8.self).contains("PRIVATE KEY-----") else {
            throw CloudAuthError(
                cloud: cloud,
                "Azure: AZURE_CLIENT_CERTIFICATE_PATH \(path) holds no private key; put the certificate's unencrypted private key in the file with it (PKCS#8 or PKCS#1 PEM)"
            )
        }
        let publicKey: [UInt8]
        do {
            key = try RSASigningKey(pem: String(decoding: bytes, as: UTF8.self))
            publicKey = try key.publicKeyDER()
        } catch {
            throw CloudAuthError(
                cloud: cloud,
                "Azure: AZURE_CLIENT_CERTIFICATE_PATH \(path) cannot be used: \(error); put the certificate's unencrypted private key in the file (PKCS#8 or PKCS#1 PEM)"
            )
        }
        guard let leaf = certificates.firstIndex(where: { $0.publicKey == publicKey }) else {
            throw CloudAuthError(
                cloud: cloud,
                "Azure: the private key in AZURE_CLIENT_CERTIFICATE_PATH \(path) does not belong to its certificate; put the certificate and its own key in the file"
            )
        }
        self.certificates =
            [certificates[leaf].der] + certificates.indices.filter { $0 != leaf }.map { certificates[$0].der }
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

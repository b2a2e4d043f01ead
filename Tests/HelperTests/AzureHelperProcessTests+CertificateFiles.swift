import Foundation
import OSSBTestSupport
import Testing

/// The forms a service principal's certificate arrives in besides a plain PEM file, each made by the real
/// `openssl` from the certificate the Entra stand-in knows, as a user exports or converts one: a PFX under a
/// password, under none, with the legacy encryption older Windows and OpenSSL 1.x use, and a PEM with an encrypted
/// key. The stand-in checks every assertion against the registered certificate.
extension AzureHelperProcessTests {
    /// A password with a space and a quote, to be looked for in everything the helper prints.
    static let certificatePassword = "pfx pa'ss 7Qx"

    /// Runs `openssl` with `arguments`, expecting success.
    func openssl(_ arguments: [String]) throws {
        let result = try TestProcess.run("/usr/bin/openssl", arguments, environment: ["PATH": "/usr/bin:/bin"])
        try #require(result.status == 0, "openssl \(arguments.joined(separator: " ")): \(result)")
    }

    /// The registered certificate and its key exported as PKCS#12 into `name`, with openssl's `extra` options.
    func exportPFX(_ name: String, password: String, _ extra: [String] = []) throws -> String {
        let path = home.file(name)
        let pem = try azure("certificate_file")
        try openssl(["pkcs12", "-export", "-in", pem, "-out", path, "-passout", "pass:\(password)"] + extra)
        return path
    }

    /// `get` with the certificate at `path` and `password` (when given) in AZURE_CLIENT_CERTIFICATE_PASSWORD, in a
    /// home of its own so that no cached token answers.
    func getWithCertificate(_ path: String, password: String?) throws -> ChildProcess.Result {
        let fresh = home.file("home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: fresh, withIntermediateDirectories: true)
        var extra = ["HOME": fresh]
        extra["AZURE_CLIENT_CERTIFICATE_PASSWORD"] = password
        let result = try run(
            "docker-credential-ossb-acr", ["get"], input: Self.registry,
            environment: try certificateEnvironment(path, extra: extra))
        expectNoKeyMaterial(result)
        // (The stand-in's own file has the password "ossb", part of every registry name here.)
        if let password, password.count > 4 {
            #expect(!result.stdout.contains(password) && !result.stderr.contains(password), "the password is not shown")
        }
        return result
    }

    @Test func aPFXFileUnderAPasswordGetsAToken() throws {
        let cases = [
            try exportPFX("modern.pfx", password: Self.certificatePassword),
            try exportPFX("legacy.pfx", password: Self.certificatePassword, ["-legacy"]),
        ]
        for path in cases {
            let result = try getWithCertificate(path, password: Self.certificatePassword)
            #expect(result.status == 0, "\(path): \(result)")
            #expect(result.stderr.contains(try azure("certificate_thumbprint_hex")), "\(result.stderr)")
        }
        // The stand-in's own file, made by Python's cryptography rather than openssl.
        let standIn = try getWithCertificate(try azure("certificate_pfx_file"), password: "ossb")
        #expect(standIn.status == 0, "\(standIn)")
    }

    /// A PFX exported with an empty password, as Key Vault and many scripts do, needs no variable.
    @Test func aPFXFileWithoutAPasswordNeedsNone() throws {
        let result = try getWithCertificate(try exportPFX("open.pfx", password: ""), password: nil)
        #expect(result.status == 0, "\(result)")
    }

    /// A PEM whose key is encrypted (PKCS#8 with AES-256, and PKCS#1 with `Proc-Type: 4,ENCRYPTED`).
    @Test func aPEMWithAnEncryptedKeyOpensWithThePassword() throws {
        let pem = try azure("certificate_file")
        let certificate = try String(contentsOfFile: try azure("certificate_without_key_file"), encoding: .utf8)
        let pkcs8 = home.file("key.p8")
        try openssl([
            "pkcs8", "-topk8", "-in", pem, "-out", pkcs8, "-v2", "aes-256-cbc", "-passout",
            "pass:\(Self.certificatePassword)",
        ])
        let pkcs1 = home.file("key.p1")
        try openssl([
            "rsa", "-in", pem, "-out", pkcs1, "-aes256", "-traditional", "-passout", "pass:\(Self.certificatePassword)",
        ])
        for (name, key) in [("pkcs8.pem", pkcs8), ("pkcs1.pem", pkcs1)] {
            let path = home.file(name)
            try (certificate + (try String(contentsOfFile: key, encoding: .utf8))).write(
                toFile: path, atomically: true, encoding: .utf8)
            let opened = try getWithCertificate(path, password: Self.certificatePassword)
            #expect(opened.status == 0, "\(name): \(opened)")
            let locked = try getWithCertificate(path, password: nil)
            #expect(locked.status == 1 && locked.stdout.contains("is encrypted; set AZURE_CLIENT_CERTIFICATE_PASSWORD"))
            let wrong = try getWithCertificate(path, password: "not it")
            #expect(wrong.status == 1 && wrong.stdout.contains("does not decrypt"), "\(wrong)")
            #expect(wrong.stdout.split(separator: "\n").count == 1, "one line: \(wrong.stdout)")
        }
    }

    /// Each unusable PFX or binary file is one line naming the file and what to do, before anything is sent.
    @Test func unusablePFXFilesAreRefusedWithOneLineEach() throws {
        let locked = try exportPFX("locked.pfx", password: Self.certificatePassword)
        let noKey = try exportPFX("no-key.pfx", password: "", ["-nokeys"])
        let garbage = home.file("garbage.bin")
        try Data([0x30, 0x82, 0x01, 0x00, 0xFF, 0x00, 0x13]).write(to: URL(fileURLWithPath: garbage))
        let cases: [(path: String, password: String?, says: String)] = [
            (locked, nil, "is a PFX file protected by a password; set AZURE_CLIENT_CERTIFICATE_PASSWORD"),
            (locked, "wrong password", "is a PFX file that AZURE_CLIENT_CERTIFICATE_PASSWORD does not open"),
            (noKey, nil, "holds no private key"),
            (garbage, nil, "is neither PEM nor PKCS#12 (PFX)"),
        ]
        for (path, password, says) in cases {
            let result = try getWithCertificate(path, password: password)
            #expect(result.status == 1, "\(result)")
            #expect(result.stdout.split(separator: "\n").count == 1, "one line: \(result.stdout)")
            #expect(result.stdout.contains(path) && result.stdout.contains(says), "\(says): \(result.stdout)")
            #expect(!result.stdout.contains("wrong password"), "the password is not echoed")
        }
    }
}

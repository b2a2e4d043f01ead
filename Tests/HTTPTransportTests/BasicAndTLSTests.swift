import AuthCore
import Foundation
import HTTPTransport
import OSSBTestSupport
import Testing

/// A registry with htpasswd (Basic) auth.
@Suite(.enabled(if: TestServers.basic != nil, "needs scripts/test.sh's Basic registry (OSSB_TEST_BASIC_REGISTRY)"))
struct BasicRegistryTests {
    let bed = TestServers.basic!

    func ping(_ credentials: Credentials) async throws -> HTTPResponse {
        let auth = RegistryAuthenticator(
            registry: HTTPOrigin(URL(string: "http://\(bed.address)/")!)!, credentials: credentials,
            client: CurlHTTPClient(), allowPlainHTTP: true)
        return try await auth.send(HTTPRequest(url: URL(string: "http://\(bed.address)/v2/")!))
    }

    @Test func basicCredentialsAreSentAfterTheChallenge() async throws {
        #expect(try await ping(Credentials(username: bed.user, password: bed.password)).status == 200)
        #expect(try await ping(Credentials(username: bed.user, password: "wrong")).status == 401)
    }

    @Test func validatorAcceptsTheRightPasswordAndRefusesAWrongOne() async throws {
        let validator = CredentialValidator(client: CurlHTTPClient())
        let outcome = try await validator.validate(
            registry: bed.address, credentials: Credentials(username: bed.user, password: bed.password))
        #expect(outcome.scheme == "basic")
        #expect(outcome.refreshToken == nil)
        await #expect(throws: RegistryError.self) {
            try await validator.validate(
                registry: bed.address, credentials: Credentials(username: bed.user, password: "nope"))
        }
    }
}

/// An HTTPS registry with a private CA that also asks for a client certificate: both come from a certs.d
/// directory, laid out as docker's (`<dir>/<host:port>/ca.crt`, `client.cert`, `client.key`).
@Suite(.enabled(if: TestServers.tls != nil, "needs scripts/test.sh's TLS registry (OSSB_TEST_TLS_REGISTRY)"))
struct TLSRegistryTests {
    let bed = TestServers.tls!
    var url: URL { URL(string: "https://\(bed.address)/v2/")! }

    func certsDirectory(ca: Bool, client: Bool) throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        let hostDir = dir.file(bed.address)
        try FileManager.default.createDirectory(atPath: hostDir, withIntermediateDirectories: true)
        if ca { try FileManager.default.copyItem(atPath: bed.caFile, toPath: "\(hostDir)/ca.crt") }
        if client {
            try FileManager.default.copyItem(atPath: bed.clientCert, toPath: "\(hostDir)/client.cert")
            try FileManager.default.copyItem(atPath: bed.clientKey, toPath: "\(hostDir)/client.key")
        }
        return dir
    }

    @Test func verifiedWithTheCAAndClientCertificateFromCertsD() async throws {
        let dir = try certsDirectory(ca: true, client: true)
        let client = CurlHTTPClient(environment: Environment(["OSSB_CERTS_D": "/nonexistent:\(dir.path)"]))
        let response = try await client.send(HTTPRequest(url: url))
        #expect(response.status == 200)
    }

    @Test func refusedWithoutTheCA() async throws {
        let client = CurlHTTPClient(certsDirectories: [])
        do {
            _ = try await client.send(HTTPRequest(url: url))
            Issue.record("an unknown CA must be refused")
        } catch let error as HTTPClientError {
            #expect(error.kind == .tls)
            #expect(error.message.contains("certs.d"))
        }
    }

    @Test func refusedWithoutTheClientCertificate() async throws {
        let dir = try certsDirectory(ca: true, client: false)
        let client = CurlHTTPClient(certsDirectories: [dir.path])
        await #expect(throws: HTTPClientError.self) { try await client.send(HTTPRequest(url: url)) }
    }

    @Test func insecureSkipsVerificationOnlyForListedHosts() async throws {
        // Verification skipped, but the server still wants a client certificate: give it one, no CA.
        let dir = try certsDirectory(ca: false, client: true)
        let insecure = CurlHTTPClient(certsDirectories: [dir.path], insecureHosts: [bed.address])
        #expect(try await insecure.send(HTTPRequest(url: url)).status == 200)
        let secure = CurlHTTPClient(certsDirectories: [dir.path], insecureHosts: ["127.0.0.9:1"])
        await #expect(throws: HTTPClientError.self) { try await secure.send(HTTPRequest(url: url)) }
    }
}

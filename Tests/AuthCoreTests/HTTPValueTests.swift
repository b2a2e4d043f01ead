import Foundation
import Testing

@testable import AuthCore

@Suite struct HTTPValueTests {
    @Test func headersLookUpCaseInsensitivelyAndRedactCredentials() {
        var headers = HTTPHeaders([("WWW-Authenticate", "Basic realm=a"), ("www-authenticate", "Bearer realm=b")])
        #expect(headers.values(for: "Www-Authenticate") == ["Basic realm=a", "Bearer realm=b"])
        headers["Authorization"] = "Bearer very-secret"
        headers["Cookie"] = "session=also-secret"
        #expect(headers["authorization"] == "Bearer very-secret")
        let text = "\(headers)"
        #expect(!text.contains("very-secret") && !text.contains("also-secret"))
        #expect(text.contains("Authorization: <redacted>"))
        headers.removeCredentials()
        #expect(headers["Authorization"] == nil && headers["Cookie"] == nil)
        #expect(headers.values(for: "www-authenticate").count == 2)
    }

    @Test func requestDescriptionOmitsTheQuery() {
        let request = HTTPRequest(url: URL(string: "https://auth.example/token?account=alice&scope=x")!)
        #expect("\(request)" == "GET https://auth.example/token")
    }

    @Test func formEncodingEscapesEverythingReserved() {
        let encoded = FormEncoding.encode([("password", "p+w d&=/:?%é"), ("scope", "repository:a/b:pull")])
        #expect(encoded == "password=p%2Bw%20d%26%3D%2F%3A%3F%25%C3%A9&scope=repository%3Aa%2Fb%3Apull")
        let decoded = FormEncoding.decode(encoded)
        #expect(decoded.map(\.1) == ["p+w d&=/:?%é", "repository:a/b:pull"])
    }

    @Test func originsAndLoopback() {
        #expect(
            HTTPOrigin(URL(string: "https://R.example/v2/")!)
                == HTTPOrigin(scheme: "https", host: "r.example", port: 443))
        #expect(HTTPOrigin(URL(string: "http://127.0.0.1:5000/")!)?.hostAndPort == "127.0.0.1:5000")
        #expect(HTTPOrigin(URL(string: "https://r.example:443/")!)?.hostAndPort == "r.example")
        #expect(HTTPOrigin(URL(string: "ftp://r.example/")!) == nil)
        for host in ["localhost", "127.0.0.1", "127.1.2.3", "::1"] {
            #expect(HTTPOrigin.isLoopback(host: host), "\(host)")
        }
        for host in ["127.0.0.1.example", "10.0.0.1", "localhost.evil.com.", "128.0.0.1"] {
            #expect(!HTTPOrigin.isLoopback(host: host), "\(host)")
        }
    }

    @Test func registryEndpointPolicy() throws {
        let loopback = try RegistryEndpoint("127.0.0.1:5000", insecureHosts: [])
        #expect(loopback.allowsPlainHTTP)
        #expect(loopback.candidates.map(\.scheme) == ["http", "https"], "loopback: plain http first, TLS next")
        let insecureRemote = try RegistryEndpoint("r.example:5000", insecureHosts: ["r.example:5000"])
        #expect(
            insecureRemote.candidates.map(\.scheme) == ["https", "http"], "other insecure registries: docker's order")
        let remote = try RegistryEndpoint("https://r.example/", insecureHosts: [])
        #expect(!remote.allowsPlainHTTP)
        #expect(remote.candidates.map(\.description) == ["https://r.example"])
        #expect(try RegistryEndpoint("r.example:8443", insecureHosts: ["r.example:8443"]).candidates.count == 2)
        #expect(throws: RegistryError.self) { try RegistryEndpoint("http://r.example", insecureHosts: []) }
        #expect(try RegistryEndpoint("docker.io", insecureHosts: []).host == "registry-1.docker.io")
        #expect(throws: RegistryError.self) { try RegistryEndpoint("", insecureHosts: []) }
    }
}

import Foundation
import Testing

@testable import AuthCore

/// The one `/v2/` ping that `login` and the registry client share: which origin it settles on, which failure it
/// reports, and when it stops trying.
@Suite struct RegistryPingTests {
    func ping(_ registry: String, insecure: Set<String> = [], _ handler: @escaping FakeHTTPClient.Handler) async throws
        -> (RegistryPing.Answer, FakeHTTPClient)
    {
        let client = FakeHTTPClient(handler)
        let endpoint = try RegistryEndpoint(registry, insecureHosts: insecure)
        return (try await RegistryPing.find(endpoint, client: client, operation: .login, registry: registry), client)
    }

    @Test func everyOriginIsAskedForV2WithTheOneTimeout() async throws {
        let (answer, client) = try await ping("127.0.0.1:5000") { request in
            request.url.scheme == "http"
                ? FakeHTTPClient.response(400, for: request) : FakeHTTPClient.response(401, for: request)
        }
        // Loopback tries plain http first; a TLS port's 400 is passed over for https's 401.
        #expect(answer.origin.scheme == "https")
        #expect(answer.response.status == 401)
        #expect(
            client.requests.map(\.url.absoluteString) == ["http://127.0.0.1:5000/v2/", "https://127.0.0.1:5000/v2/"])
        #expect(client.requests.allSatisfy { $0.timeout == RegistryPing.timeout })
        #expect(RegistryPing.timeout == 10)
    }

    @Test func theHTTPSFailureIsReportedWhenNoOriginAnswers() async throws {
        do {
            _ = try await ping("127.0.0.1:5000") { request in
                if request.url.scheme == "http" { throw HTTPClientError(.connection, "plain http refused") }
                throw HTTPClientError(.tls, "certificate signed by an unknown authority")
            }
            Issue.record("the ping succeeded")
        } catch let error as RegistryError {
            #expect(error.message == "certificate signed by an unknown authority")
            #expect(error.operation == .login)
            #expect(error.type == .network)
        }
    }

    @Test func aNonRegistryAnswerAfterAFailureReportsTheFailure() async throws {
        do {
            _ = try await ping("r.example", insecure: ["r.example"]) { request in
                if request.url.scheme == "https" { throw HTTPClientError(.tls, "wrong version number") }
                return FakeHTTPClient.response(400, for: request)
            }
            Issue.record("the ping settled on a 400")
        } catch let error as RegistryError {
            #expect(error.message == "wrong version number")
        }
    }

    @Test func theLastOriginsAnswerIsReturnedWhateverItIs() async throws {
        // Nothing failed outright: the caller's own request names the problem (a 404 from a web server).
        let (answer, _) = try await ping("r.example") { FakeHTTPClient.response(404, for: $0) }
        #expect(answer.response.status == 404)
        #expect(!answer.isRegistry)
    }

    @Test func aTimeoutEndsThePing() async throws {
        let client = FakeHTTPClient { _ in throw HTTPClientError(.timeout, "no answer within 10 s") }
        let endpoint = try RegistryEndpoint("127.0.0.1:5000", insecureHosts: [])
        await #expect(throws: RegistryError.self) {
            _ = try await RegistryPing.find(endpoint, client: client, operation: .pullImage, registry: "127.0.0.1:5000")
        }
        #expect(client.requests.count == 1)
    }
}

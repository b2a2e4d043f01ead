import AuthCore
import CloudAuth
import Foundation
import HTTPTransport
import OSSBTestSupport
import RegistryClient
import RegistryVocabulary
import Synchronization
import Testing

/// The Google and Azure stand-ins as the tests use them: their credential files, and providers' contexts over
/// the real transport with explanation lines collected.
struct CloudBed {
    /// http address of the token endpoints and metadata services.
    let server: String
    /// https port of the Azure registry exchange.
    let exchangePort: Int
    /// Credential files and the exchange's CA.
    let directory: String
    /// A scratch directory: HOME, certs.d, edited credential files.
    let scratch = TemporaryDirectory()

    static var available: Bool { TestServers.cloud != nil }

    init() throws {
        let bed = try #require(TestServers.cloud)
        (server, exchangePort, directory) = (bed.server, bed.exchangePort, bed.directory)
    }

    /// A credential file's JSON.
    func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// `azure.json`'s string members.
    func azure(_ name: String) throws -> String { try #require(try json("azure.json")[name] as? String) }

    /// A registry name under ACR's domain that reaches the exchange stand-in.
    var acrHost: String { "ossbtest.azurecr.io:\(exchangePort)" }

    /// A provider context: the given variables with HOME in the scratch directory, the transport resolving the
    /// ACR name to loopback and trusting the exchange's CA through a certs.d directory (unless `trustExchange`
    /// is false), explanations into `lines`.
    func context(_ variables: [String: String], lines: ExplainLines, trustExchange: Bool = true) throws -> CloudContext
    {
        let certs = scratch.file("certs.d")
        if trustExchange {
            try FileManager.default.createDirectory(atPath: "\(certs)/\(acrHost)", withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: "\(certs)/\(acrHost)/ca.crt") {
                try FileManager.default.copyItem(atPath: "\(directory)/ca.crt", toPath: "\(certs)/\(acrHost)/ca.crt")
            }
        }
        var environment = ["HOME": scratch.file("home")]
        environment.merge(variables) { $1 }
        let http = CurlHTTPClient(
            certsDirectories: trustExchange ? [certs] : [], resolve: ["ossbtest.azurecr.io:\(exchangePort):127.0.0.1"])
        return CloudContext(
            environment: Environment(environment), http: http, explain: { lines.append($0) },
            now: { Int64(Date().timeIntervalSince1970) })
    }
}

extension CloudBed {
    /// Seeds an image into the token registry, resolves it with `credential` through `RegistryClient` (the
    /// environment store serving it: a user name and password, or an identity token for Azure's user name),
    /// and checks that the same credential with one character more is refused.
    func expectPullFromTheTokenRegistry(
        _ credential: CloudCredential, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let token = try #require(TestServers.token)
        let repository = "cloud/\(UUID().uuidString.lowercased().prefix(8))"
        let pusher = RegistryAuthenticator(
            registry: HTTPOrigin(URL(string: "http://\(token.registry)/")!)!,
            credentials: Credentials(username: token.user, password: token.password), client: CurlHTTPClient(),
            allowPlainHTTP: true)
        let digest = try await RegistrySeeder(auth: pusher, registry: token.registry).pushImage(repository, tag: "v1")
        let reference = try ImageReference.parse("\(token.registry)/\(repository):v1")

        func client(secret: String) throws -> RegistryClient {
            let prefix = "OSSB_" + EnvironmentStore.prefix(forHost: token.registry)
            var variables = ["HOME": scratch.file("home")]
            if credential.username == "00000000-0000-0000-0000-000000000000" {
                variables["\(prefix)_IDENTITY_TOKEN"] = secret
            } else {
                variables["\(prefix)_USERNAME"] = credential.username
                variables["\(prefix)_PASSWORD"] = secret
            }
            var options = ClientOptions(environment: Environment(variables))
            options.warn = { _ in }
            return try RegistryClient(options: options)
        }
        let resolved = try await client(secret: credential.secret).resolveImage(reference)
        #expect(resolved.image.digest.description == digest, sourceLocation: sourceLocation)
        await #expect(throws: (any Error).self, "a forged credential is refused", sourceLocation: sourceLocation) {
            _ = try await client(secret: credential.secret + "x").resolveImage(reference)
        }
    }
}

/// Explanation lines collected from a provider.
final class ExplainLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }

    /// Records an issue when any line holds one of `secrets`, or a JWT (`eyJ` is `{"` in base64url): tokens the
    /// test cannot name, such as the Entra ID token passed between two requests.
    func expectNone(of secrets: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for line in all {
            #expect(!line.contains("eyJ"), "an explanation line holds a token", sourceLocation: sourceLocation)
            for secret in secrets where !secret.isEmpty {
                #expect(!line.contains(secret), "an explanation line holds a secret", sourceLocation: sourceLocation)
            }
        }
    }
}

/// The message of a `CloudAuthError` thrown by `body`, recording an issue when it succeeds or throws another error.
func cloudError(_ body: () async throws -> CloudCredential, sourceLocation: SourceLocation = #_sourceLocation) async
    -> String
{
    do {
        _ = try await body()
        Issue.record("the provider answered instead of failing", sourceLocation: sourceLocation)
        return ""
    } catch let error as CloudAuthError {
        return error.message
    } catch {
        Issue.record("expected a CloudAuthError, got \(error)", sourceLocation: sourceLocation)
        return ""
    }
}

/// Seconds since the epoch.
var now: Int64 { Int64(Date().timeIntervalSince1970) }

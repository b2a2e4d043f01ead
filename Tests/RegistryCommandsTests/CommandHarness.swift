import AuthCore
import Foundation
import HTTPTransport
import OSSBTestSupport
import RegistryCommands
import Synchronization
import Testing

/// Runs `ossb-registry` in-process with captured streams, a private HOME and credentials file.
final class CommandHarness: Sendable {
    let home = TemporaryDirectory()
    private let out = Mutex("")
    private let err = Mutex("")

    var credentialsFile: String { home.file("credentials.json") }
    var stdout: String { out.withLock { $0 } }
    var stderr: String { err.withLock { $0 } }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// - Parameter resolve: fixed name resolutions (`host:port:127.0.0.1`), to reach a loopback bed under a
    ///   name that is not loopback.
    func run(
        _ arguments: [String], stdin: String = "", environment extra: [String: String] = [:], terminal: Bool = false,
        resolve: [String] = []
    ) async -> Result {
        out.withLock { $0 = "" }
        err.withLock { $0 = "" }
        var variables = [
            "HOME": home.path, "OSSB_CREDENTIALS_FILE": credentialsFile, "OSSB_CERTS_D": home.file("certs.d"),
        ]
        variables.merge(extra) { $1 }
        let input = Array(stdin.utf8)
        let noTerminal: @Sendable (String, Bool) -> String? = { _, _ in nil }
        let writeOut: @Sendable (String) -> Void = { [self] text in self.out.withLock { $0 += text } }
        let writeErr: @Sendable (String) -> Void = { [self] text in self.err.withLock { $0 += text } }
        let environment = Environment(variables)
        let makeClient: @Sendable (Set<String>, (@Sendable (String) -> Void)?) -> any HTTPClient = {
            insecure, explain in
            CurlHTTPClient(environment: environment, insecureHosts: insecure, resolve: resolve, explain: explain)
        }
        let context = CommandContext(
            environment: environment, readStandardInput: { input },
            promptTerminal: terminal ? noTerminal : nil, writeOutput: writeOut, writeError: writeErr,
            makeClient: makeClient)
        let status = await RegistryCommandLine.run(arguments, context: context)
        return Result(status: status, stdout: stdout, stderr: stderr)
    }

    /// The stored credentials file's `auths` entry for a key.
    func storedEntry(_ key: String) throws -> [String: String]? {
        guard FileManager.default.fileExists(atPath: credentialsFile) else { return nil }
        let document =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: credentialsFile)))
            as? [String: Any]
        return (document?["auths"] as? [String: Any])?[key] as? [String: String]
    }
}

extension CommandHarness {
    /// Logs in to scripts/test.sh's Basic-auth registry; returns its address.
    func loginToBasicRegistry() async throws -> String {
        let registry = try #require(TestServers.basic)
        let result = await run(
            ["login", registry.address, "-u", registry.user, "--password-stdin"], stdin: registry.password)
        #expect(result.status == 0, "\(result.stderr)")
        return registry.address
    }
}

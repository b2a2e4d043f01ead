/// The client side of the credential-helper protocol: runs `docker-credential-<name>` as docker does, bounded
/// by a timeout, and turns its answers into values.
///
/// Not-found is recognised as docker-credential-helpers' client recognises it: a non-zero exit with stdout
/// exactly `credentials not found in native keychain` after trimming. Any other failure is an error carrying
/// the helper's name and the first line of what it printed, with any secret we sent it removed.
public struct HelperClient: Sendable {
    /// The suffix after `docker-credential-` (`secretservice`, `ecr-login`).
    public let name: String
    /// The resolved executable.
    public let executable: String
    /// The child's environment.
    public var environment: Environment
    /// Seconds before a hung helper is killed (`OSSB_HELPER_TIMEOUT`, default 10).
    public var timeout: Double

    /// The program name, `docker-credential-<name>`.
    public var programName: String { "docker-credential-\(name)" }

    /// The variable bounding one helper run, in seconds.
    package static let timeoutVariable = "OSSB_HELPER_TIMEOUT"

    /// The bound on one helper run that an environment sets: `OSSB_HELPER_TIMEOUT`, 10 s by default.
    /// - Throws: `ConfigurationError` when the variable is not a positive number of seconds.
    package static func timeout(in environment: Environment) throws -> Double {
        try environment.seconds(timeoutVariable, default: 10)
    }

    /// Finds the helper on PATH (after `searchFirst`, such as the directory of this suite's executables).
    /// - Throws: `HelperClientError` when no such executable exists; `ConfigurationError` for a bad
    ///   `OSSB_HELPER_TIMEOUT`.
    public init(name: String, environment: Environment, searchFirst: [String] = []) throws {
        self.name = name
        self.environment = environment
        self.timeout = try Self.timeout(in: environment)
        guard
            let path = Subprocess.locate(
                "docker-credential-\(name)", environment: environment, directories: searchFirst)
        else {
            throw HelperClientError(
                helper: "docker-credential-\(name)", message: "is not installed (not found on PATH)", notInstalled: true
            )
        }
        self.executable = path
    }

    /// Asks the helper for a server's credential; `nil` when it has none.
    public func get(_ serverURL: String) throws -> HelperCredential? {
        let result = try run("get", input: serverURL + "\n")
        if result.status != 0 {
            if result.stdout.trimmingWhitespace() == HelperMessages.credentialsNotFound { return nil }
            throw failure("get", result)
        }
        guard case .object(let object)? = try? JSONParser.parse(result.stdout),
            let credential = HelperCredential(serverURL: serverURL, answer: object)
        else {
            throw HelperClientError(helper: programName, message: "answered get with output that is not a credential")
        }
        if credential.username.isEmpty, credential.secret.isEmpty { return nil }
        return credential
    }

    /// Stores a credential through the helper.
    public func store(_ credential: HelperCredential) throws {
        let result = try run("store", input: credential.protocolJSON() + "\n")
        if result.status != 0 { throw failure("store", result, redacting: [credential.secret]) }
    }

    /// Erases a server's credential through the helper.
    public func erase(_ serverURL: String) throws {
        let result = try run("erase", input: serverURL + "\n")
        if result.status != 0 {
            if result.stdout.trimmingWhitespace() == HelperMessages.credentialsNotFound { return }
            throw failure("erase", result)
        }
    }

    /// The helper's list: server address to user name.
    public func list() throws -> [String: String] {
        let result = try run("list", input: "unused")
        if result.status != 0 { throw failure("list", result) }
        guard case .object(let object)? = try? JSONParser.parse(result.stdout) else {
            throw HelperClientError(helper: programName, message: "answered list with output that is not a JSON object")
        }
        var entries: [String: String] = [:]
        for member in object.members {
            if case .string(let user) = member.value { entries[member.name] = user }
        }
        return entries
    }

    /// The helper's environment: ours, asking for `ExpiresAt` (helpers that do not know the variable ignore it).
    private var childEnvironment: [String: String] {
        HelperCredential.askingForExpiry(environment.variables)
    }

    private func run(_ action: String, input: String) throws -> Subprocess.Result {
        let result: Subprocess.Result
        do {
            result = try Subprocess(
                executable: executable, arguments: [action], environment: childEnvironment, timeout: timeout
            ).run(input: Array(input.utf8))
        } catch {
            throw HelperClientError(helper: programName, message: "could not be started: \(error)")
        }
        if result.timedOut {
            throw HelperClientError(
                helper: programName,
                message: "did not answer \(action) within \(Int(timeout)) s and was stopped (OSSB_HELPER_TIMEOUT)",
                timedOut: true)
        }
        return result
    }

    private func failure(_ action: String, _ result: Subprocess.Result, redacting secrets: [String] = [])
        -> HelperClientError
    {
        var message = result.stdout.trimmingWhitespace()
        if message.isEmpty { message = result.stderr.trimmingWhitespace() }
        message = String(message.split(separator: "\n", omittingEmptySubsequences: true).first ?? "")
        for secret in secrets where !secret.isEmpty {
            message = message.replacing(secret, with: "<redacted>")
        }
        let answer = message
        if message.count > 200 { message = String(message.prefix(200)) + "…" }
        var error = HelperClientError(
            helper: programName,
            message: "failed to \(action) (exit status \(result.status))" + (message.isEmpty ? "" : ": \(message)"))
        error.answer = answer
        return error
    }
}

/// A credential helper could not be run or failed. The description names the helper and never a secret.
public struct HelperClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The program, `docker-credential-<name>`.
    public let helper: String
    /// What went wrong.
    public let message: String
    /// Whether the helper is simply not installed.
    public var notInstalled = false
    /// Whether the helper was killed for taking too long.
    public var timedOut = false
    /// The first line the helper printed when it failed, whole (secrets we sent it removed), so a caller can
    /// act on a helper's documented message prefixes; empty when it printed nothing or could not run.
    public var answer = ""

    public var description: String { "\(helper) \(message)" }

    /// The note for a helper a configuration file names but that is not installed (a `credsStore` left over
    /// from Docker Desktop is the common case), saying what to do.
    package static func notInstalledNote(_ error: HelperClientError, namedIn file: String) -> String {
        "\(file) names \(error.helper), which \(error.message); install it, or remove it from that file"
    }
}

import Glibc

/// The docker credential-helper protocol, server side, in one place: argument dispatch, stdin parsing,
/// stdout formatting and errors. Each helper's `main.swift` hands a store to `main(name:makeStore:)`.
///
/// It matches docker-credential-helpers byte for byte where clients depend on it: errors on stdout with exit
/// status 1, the three exact error strings, `{}` for an empty list, Go's JSON escaping (`\u003ctoken\u003e`),
/// case-insensitive keys on input, the usage and version lines.
public struct CredentialHelper: Sendable {
    /// The largest stdin accepted. A real request is well under 1 KiB; refusing more keeps a runaway writer
    /// from filling memory.
    package static let inputLimit = 1 << 20

    /// The executable's name, as in `docker-credential-ossb-file`.
    public let name: String
    /// The version printed by `version`.
    public let version: String
    /// Whether `get` answers carry `ExpiresAt` when the store knows the expiry: only when the client asked
    /// (`HelperCredential.expiryRequestVariable`), so that other clients get exactly the protocol's three members.
    package var answersExpiry = false

    /// Creates a helper description.
    public init(name: String, version: String = OSSBVersion.current) {
        self.name = name
        self.version = version
    }

    /// A helper answering a client whose environment is `environment`: `answersExpiry` as the client asks.
    package init(name: String, environment: Environment) {
        self.init(name: name)
        answersExpiry = environment[HelperCredential.expiryRequestVariable] == "1"
    }

    /// The usage line, as v0.9 helpers print it.
    package var usage: String { "Usage: \(name) <store|get|erase|list|version>" }

    /// The version line: `<name> (ossb-registry) <version>`, in the shape of v0.9 helpers.
    package var versionLine: String { "\(name) (ossb-registry) \(version)" }

    /// Runs one protocol request.
    /// - Parameters:
    ///   - arguments: the arguments after the program name.
    ///   - readInput: returns stdin's bytes; called only by actions that take input (`list` ignores stdin, as
    ///     docker's helpers do, so a client that never closes it cannot hang us).
    ///   - makeStore: builds the backend; called only by actions that need it, so `version` works anywhere.
    /// - Returns: what to print and the exit status. Never throws: every failure is a protocol error.
    public func run(
        arguments: [String], readInput: () throws -> [UInt8], makeStore: () throws -> any CredentialStore
    ) -> HelperOutcome {
        guard let action = HelperAction(arguments: arguments) else {
            return HelperOutcome(stdout: usage + "\n", status: 1)
        }
        do {
            switch action {
            case .help:
                return HelperOutcome(stdout: usage + "\n")
            case .version:
                return HelperOutcome(stdout: versionLine + "\n")
            case .list:
                let entries = try makeStore().list()
                return HelperOutcome(stdout: Self.encodeList(entries) + "\n")
            case .get:
                let serverURL = try Self.serverURL(from: readInput())
                guard let credential = try makeStore().get(serverURL) else {
                    return .failure(HelperMessages.credentialsNotFound)
                }
                // The reply names the address as asked, whichever stored spelling served it.
                let reply = HelperCredential(
                    serverURL: serverURL, username: credential.username, secret: credential.secret,
                    expiresAt: credential.expiresAt)
                return HelperOutcome(stdout: reply.protocolJSON(withExpiry: answersExpiry) + "\n")
            case .erase:
                let serverURL = try Self.serverURL(from: readInput())
                try makeStore().erase(serverURL)
                return HelperOutcome()
            case .store:
                var input = try readInput()
                defer { SecretMemory.wipe(&input) }
                let credential = try Self.credential(from: input)
                try makeStore().store(credential)
                return HelperOutcome()
            }
        } catch let error as HelperRequestError {
            return .failure(error.message)
        } catch let error as CredentialStoreError {
            return .failure(error.message)
        } catch let error as ConfigurationError {
            return .failure(error.description)
        } catch let error as HelperClientError {
            return .failure(error.description)
        } catch let error as FileTooLarge {
            return .failure(
                "input is larger than \(error.limit / 1024) KiB; a credential request is a few hundred bytes")
        } catch {
            return .failure("\(name): \(error)")
        }
    }

    /// Runs the helper as a process: reads the real arguments and stdin, writes stdout and stderr, exits.
    /// - Parameter makeStore: builds the backend from the process environment.
    public static func main(
        name: String, makeStore: @escaping (Environment) throws -> any CredentialStore
    ) -> Never {
        ProcessHardening.makeNonDumpable()
        // A client that closes the pipe early must give us EPIPE, not kill us half-way through a write.
        signal(SIGPIPE, SIG_IGN)
        let environment = Environment.current
        let helper = CredentialHelper(name: name, environment: environment)
        let outcome = helper.run(
            arguments: Array(CommandLine.arguments.dropFirst()),
            readInput: { try FileIO.readAll(fd: 0, path: "standard input", limit: inputLimit) },
            makeStore: { try makeStore(environment) })
        StandardStreams.write(outcome.stdout, to: 1)
        StandardStreams.write(outcome.stderr, to: 2)
        exit(outcome.status)
    }

    // MARK: - Input

    /// The server URL of `get` and `erase`: stdin with surrounding white space trimmed.
    static func serverURL(from bytes: [UInt8]) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw HelperRequestError("the server URL on standard input is not valid UTF-8")
        }
        let serverURL = text.trimmingWhitespace()
        if serverURL.isEmpty { throw HelperRequestError(HelperMessages.missingServerURL) }
        if serverURL.contains(where: { $0.isNewline }) {
            throw HelperRequestError("expected one server URL on standard input, found several lines")
        }
        return serverURL
    }

    /// The credential of `store`: a JSON object with `ServerURL`, `Username` and `Secret`, keys matched
    /// case-insensitively, unknown keys and anything after the object ignored, as Go's decoder does.
    static func credential(from bytes: [UInt8]) throws -> HelperCredential {
        let document: JSONValue
        do {
            document = try JSONParser.parseFirst(bytes)
        } catch {
            if JSONParser.isBlank(bytes) {
                throw HelperRequestError(
                    "no credentials on standard input: expected {\"ServerURL\":...,\"Username\":...,\"Secret\":...}")
            }
            throw HelperRequestError("the credentials on standard input are not valid JSON (\(error))")
        }
        guard case .object(let object) = document else {
            throw HelperRequestError(
                "the credentials on standard input are \(document.kindDescription), expected a JSON object with ServerURL, Username and Secret"
            )
        }
        func field(_ key: String) throws -> String {
            guard let value = object.valueIgnoringCase(key) else { return "" }
            switch value {
            case .string(let s): return s
            case .null: return ""
            default:
                throw HelperRequestError("\"\(key)\" in the credentials is \(value.kindDescription), expected a string")
            }
        }
        let credential = HelperCredential(
            serverURL: try field("ServerURL"), username: try field("Username"), secret: try field("Secret"))
        if credential.serverURL.isEmpty { throw HelperRequestError(HelperMessages.missingServerURL) }
        if credential.username.isEmpty { throw HelperRequestError(HelperMessages.missingUsername) }
        // Every helper refuses what no store could give back, before its store is even built.
        try credential.validateForStore()
        return credential
    }

    // MARK: - Output

    /// The `list` object with keys sorted, as Go encodes a map; `{}` when empty.
    static func encodeList(_ entries: [String: String]) -> String {
        let members = entries.keys.sorted().map { JSONObject.Member(name: $0, value: .string(entries[$0]!)) }
        return JSONWriter.compact(.object(JSONObject(members)))
    }
}

/// A request the helper cannot serve, with the message to print.
struct HelperRequestError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

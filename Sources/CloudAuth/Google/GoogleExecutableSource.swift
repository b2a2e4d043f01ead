import AuthCore
import FoundationEssentials

/// An executable-sourced subject token (`credential_source.executable`), as Google's auth libraries run one: a
/// command that prints a version 1 response with an OIDC ID token or a SAML assertion, for identity providers that
/// no file or URL reaches. A file can thereby name a program to run, so it runs only when the user has opted in
/// with `GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1`. The command line is split into words without a shell, its
/// stdin is closed, its stderr goes to the user, and its stdout is never repeated in a message.
struct GoogleExecutableSource {
    /// The credentials file naming the command, for messages.
    let path: String
    /// The program and its arguments.
    let words: [String]
    /// Milliseconds the command may take, within Google's bounds.
    let timeoutMillis: Int64
    /// Where the command keeps its last response, read before running it.
    let outputFile: String?
    let http: CloudHTTP

    /// The variable that allows running the command, as Google's libraries name it.
    static let allowVariable = "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES"
    /// Google's bounds for `timeout_millis`, and its default.
    static let timeoutBounds: ClosedRange<Int64> = 5_000...120_000
    static let defaultTimeoutMillis: Int64 = 30_000
    /// The subject token types a response may carry, and the member holding each.
    static let tokenMembers = [
        "urn:ietf:params:oauth:token-type:jwt": "id_token", "urn:ietf:params:oauth:token-type:id_token": "id_token",
        "urn:ietf:params:oauth:token-type:saml2": "saml_response",
    ]

    /// Reads `credential_source.executable`.
    /// - Throws: `CloudAuthError` when running commands is not allowed, or the command or timeout is unusable.
    init(_ executable: JSONObject, path: String, http: CloudHTTP) throws(CloudAuthError) {
        self.path = path
        self.http = http
        guard http.context.environment[Self.allowVariable] == "1" else {
            throw CloudAuthError(
                cloud: http.cloud,
                "Google Cloud: \(path) names a command to run for the subject token; set \(Self.allowVariable)=1 to allow running it"
            )
        }
        guard let command = executable["command"]?.stringValue, let words = AWSProcessCredentials.words(command),
            !words.isEmpty
        else {
            throw CloudAuthError(
                cloud: http.cloud,
                "Google Cloud: credential_source.executable.command of \(path) is missing, empty or badly quoted; give the command line as a shell would"
            )
        }
        self.words = words
        let timeout = executable["timeout_millis"].map { CloudHTTP.integer($0) } ?? Self.defaultTimeoutMillis
        guard let timeout, Self.timeoutBounds.contains(timeout) else {
            throw CloudAuthError(
                cloud: http.cloud,
                "Google Cloud: credential_source.executable.timeout_millis of \(path) must be a number from 5000 to 120000"
            )
        }
        timeoutMillis = timeout
        outputFile = executable["output_file"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// What names the command in messages: the program alone, since arguments may carry secrets.
    var what: String { "the subject token command \(TerminalText.sanitized(words[0].prefix(200))) named by \(path)" }

    /// The subject token: a still-valid response in the output file, or else the command's.
    /// - Throws: `CloudAuthError` with one line naming what failed.
    func subjectToken(audience: String, tokenType: String, impersonatedEmail: String?) throws(CloudAuthError)
        -> String
    {
        if let outputFile, let cached = try cachedToken(outputFile) {
            http.context.explain("Google Cloud: subject token from the command's output file \(outputFile)")
            return cached
        }
        var extra = [
            "GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE": audience, "GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE": tokenType,
            // Interactive mode (a command that prompts, with its own timeout) is not supported, as in Google's Go
            // library.
            "GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE": "0",
        ]
        extra["GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL"] = impersonatedEmail
        extra["GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE"] = outputFile
        let command = CredentialCommand(
            words: words, what: what, cloud: http.cloud, prefix: "Google Cloud: ", configuration: "the command")
        let stdout = try command.run(
            environment: http.context.environment, extra: extra, timeout: Double(timeoutMillis) / 1000,
            timedOut:
                "\(what) did not finish within \(timeoutMillis) ms and was stopped; raise credential_source.executable.timeout_millis (at most 120000) or run it by hand to see why it hangs"
        ) { program in
            http.context.explain("Google Cloud: subject token from the command \(TerminalText.sanitized(program))")
        }
        do {
            return try Self.token(
                in: Array(stdout.utf8), from: what, now: http.context.now(), needsExpiration: outputFile != nil)
        } catch {
            throw fault(error.reason)
        }
    }

    /// The token of a response the command left in the output file, unless there is none yet, or it is a failure
    /// or has expired: then the command runs again and writes a new one. Anything else in the file is an error, as
    /// in Google's libraries, since a command that writes a broken cache needs fixing.
    private func cachedToken(_ outputFile: String) throws(CloudAuthError) -> String? {
        let bytes: [UInt8]?
        do {
            bytes = try FileIO.readIfExists(outputFile, limit: 1 << 20)
        } catch {
            throw fault("cannot read the output file \(outputFile) of \(what) (\(error)); check its permissions")
        }
        guard let bytes, bytes.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return nil }
        do {
            return try Self.token(
                in: bytes, from: "the output file \(outputFile) of \(what)", now: http.context.now(),
                needsExpiration: true)
        } catch {
            if error.isStale { return nil }
            throw fault(error.reason + ", or delete the file")
        }
    }

    private func fault(_ text: String) -> CloudAuthError { CloudAuthError(cloud: http.cloud, "Google Cloud: \(text)") }

    /// Why a response holds no usable token. Each reason names the response's origin and what to do, and never
    /// repeats the response, which may hold the token.
    struct Refusal: Error {
        let reason: String
        /// A failure response, or an expired token: a well-formed answer that only calls for running the command
        /// again when it was found in the output file.
        var isStale = false
    }

    /// The subject token of a version 1 executable response.
    /// - Parameters:
    ///   - origin: what printed the response, for the reasons.
    ///   - now: the current time, in seconds since 1970, against `expiration_time`.
    ///   - needsExpiration: whether `expiration_time` is required, as it is when the command keeps an output file.
    /// - Throws: `Refusal` when the response is not JSON, not version 1, a failure, expired, or lacks the token.
    static func token(in bytes: [UInt8], from origin: String, now: Int64, needsExpiration: Bool) throws(Refusal)
        -> String
    {
        let fix = "make the command print Google's executable response (version 1)"
        guard let object = (try? JSONParser.parse(bytes))?.objectValue else {
            throw Refusal(reason: "\(origin) did not give a JSON object; \(fix)")
        }
        guard CloudHTTP.integer(object["version"]) == 1 else {
            throw Refusal(reason: "\(origin) gave a response whose version is missing or not 1; \(fix)")
        }
        guard case .bool(let success) = object["success"] else {
            throw Refusal(reason: "\(origin) gave a response without a boolean \"success\"; \(fix)")
        }
        guard success else {
            let code = TerminalText.sanitized((object["code"]?.stringValue ?? "no code").prefix(100))
            let message = TerminalText.sanitized((object["message"]?.stringValue ?? "no message").prefix(300))
            throw Refusal(reason: "\(origin) reported failure, code \(code): \(message)", isStale: true)
        }
        let type = object["token_type"]?.stringValue ?? ""
        guard let member = tokenMembers[type] else {
            throw Refusal(
                reason:
                    "\(origin) gave token_type \"\(TerminalText.sanitized(type.prefix(80)))\"; it must be urn:ietf:params:oauth:token-type:jwt, id_token or saml2"
            )
        }
        var expiration: Int64? = nil
        if let value = object["expiration_time"] {
            guard let seconds = CloudHTTP.integer(value) else {
                throw Refusal(
                    reason: "\(origin) gave an expiration_time that is not a number of seconds since 1970; \(fix)")
            }
            expiration = seconds
        }
        if let expiration, expiration <= now {
            throw Refusal(
                reason: "\(origin) gave a token whose expiration_time has passed; make it fetch a fresh one",
                isStale: true)
        }
        if expiration == nil, needsExpiration {
            throw Refusal(
                reason: "\(origin) gave no expiration_time, which a command with an output_file must give; \(fix)")
        }
        guard let token = object[member]?.stringValue, !token.isEmpty else {
            throw Refusal(reason: "\(origin) gave token_type \(type) without \(member); \(fix)")
        }
        return token
    }
}

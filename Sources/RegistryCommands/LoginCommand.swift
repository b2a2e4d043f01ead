import AuthCore

/// `ossb-registry login REGISTRY [-u USER] [--password-stdin]`: validates the credentials against the registry
/// (ping, then a token exchange when it asks for one), then stores them in the suite's writable store. A
/// refresh token offered by the token server is stored as an identity token (Username `<token>`) instead of
/// the password, as docker does. A refused password stores nothing.
struct LoginCommand: RegistryCommand {
    static let spec = CommandSpec(
        name: "login", summary: "Check credentials against a registry and store them",
        discussion: """
            Check credentials against REGISTRY and store them for the suite's credential helpers.

            The registry is asked first (GET /v2/, then a token request when it uses bearer tokens); only
            credentials it accepts are stored. When its token server offers a refresh token, that token is stored
            instead of the password (as docker does).
            """,
        positionals: [CommandPositional(name: "REGISTRY", noun: "registry")],
        missing: "name the registry to log in to",
        options: [
            CommandOption(
                "username", short: "u", value: "USER", help: "The user name (asked for on a terminal when missing)"),
            CommandOption("password-stdin", help: "Read the password from standard input (one line)"),
            CommandOption.insecure.helping("Allow plain http and unverified TLS for this registry"),
            CommandOption.explain.helping("Explain each step on stderr (as OSSB_EXPLAIN=1); never shows a secret"),
        ],
        exitStatus: "0 logged in, 1 failed (wrong password, unreachable registry), 2 usage error.")

    let registry: String
    let username: String?
    let passwordFromStdin: Bool
    let insecure: Bool
    let explain: Bool

    init(_ arguments: ParsedArguments, context: CommandContext) throws {
        registry = arguments.positionals[0]
        username = arguments.values["username"]
        passwordFromStdin = arguments.has("password-stdin")
        insecure = arguments.has("insecure")
        explain = arguments.has("explain")
        if passwordFromStdin && username == nil { throw UsageError("--password-stdin needs --username") }
        if !passwordFromStdin && context.promptTerminal == nil {
            throw UsageError("no terminal to ask for the password: pass it on standard input with --password-stdin")
        }
    }

    func run(context: CommandContext) async throws {
        let credentials = try readCredentials(context: context)
        let explain = context.explainSink(forced: explain)
        let refreshToken = try await validate(credentials, context: context, explain: explain)
        try store(credentials, refreshToken: refreshToken, context: context, explain: explain)
        context.writeOutput("Login Succeeded\n")
    }

    /// The user name and password: from standard input, or asked for on the terminal.
    func readCredentials(context: CommandContext) throws -> Credentials {
        var username = username ?? ""
        let password: String
        if passwordFromStdin {
            password = Self.trimmingOneLineEnd(String(decoding: context.readStandardInput(), as: UTF8.self))
        } else {
            if username.isEmpty { username = context.promptTerminal?("Username: ", true) ?? "" }
            password = context.promptTerminal?("Password: ", false) ?? ""
        }
        guard !username.isEmpty else { throw CommandFailure("no user name was given; use -u USER") }
        guard !password.isEmpty else {
            throw CommandFailure("no password was given; pass it on standard input with --password-stdin")
        }
        return Credentials(username: username, password: password)
    }

    /// Asks the registry whether it accepts `credentials`; returns the refresh token its token server offered.
    func validate(
        _ credentials: Credentials, context: CommandContext, explain: (@Sendable (String) -> Void)?
    ) async throws -> String? {
        var hosts = Set(context.config.insecure)
        if insecure { hosts.insert(ServerAddress.host(of: registry)) }
        let validator = CredentialValidator(
            client: context.makeClient(hosts, explain), insecureHosts: hosts, explain: explain)
        return try await validator.validate(registry: registry, credentials: credentials).refreshToken
    }

    /// Stores what the registry accepted: the refresh token as an identity token, else the password.
    func store(
        _ credentials: Credentials, refreshToken: String?, context: CommandContext,
        explain: (@Sendable (String) -> Void)?
    ) throws {
        let key = RegistryKey.key(for: registry)
        let stored =
            refreshToken.map {
                HelperCredential(serverURL: key, username: HelperCredential.identityTokenUsername, secret: $0)
            } ?? HelperCredential(serverURL: key, username: credentials.username, secret: credentials.password)
        let location: String
        do {
            let store = try context.resolveStore(context.config, context.environment)
            if let writable = store as? WritableStore {
                location = try writable.storeReportingLocation(stored)
            } else {
                try store.store(stored)
                location = "the \(store.name) store"
            }
            explain?(
                "ossb: stored \(stored.isIdentityToken ? "an identity token" : "the user name and password") for \(key) in \(location)"
            )
        } catch {
            throw CommandFailure("the registry accepted the credentials but they could not be stored: \(error)")
        }
        // Where the secret now lives is the user's business (a plain-text file is not a keyring); on stderr,
        // as docker's "stored unencrypted" warning, so scripts reading stdout see docker's one line.
        context.writeError("ossb-registry: credentials stored in \(location)\n")
    }

    /// The password as `docker login --password-stdin` reads it: one trailing newline (and carriage return)
    /// removed, nothing else, so passwords with spaces survive.
    static func trimmingOneLineEnd(_ text: String) -> String {
        var s = Substring(text)
        if s.hasSuffix("\r\n") { s = s.dropLast() } else if s.hasSuffix("\n") { s = s.dropLast() }
        if s.hasSuffix("\r") { s = s.dropLast() }
        return String(s)
    }
}

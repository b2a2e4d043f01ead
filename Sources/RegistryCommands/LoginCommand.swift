import AuthCore

/// `ossb-registry login REGISTRY [-u USER] [--password-stdin]`: validates the credentials against the registry
/// (ping, then a token exchange when it asks for one), then stores them in the suite's writable store. A
/// refresh token offered by the token server is stored as an identity token (Username `<token>`) instead of
/// the password, as docker does. A refused password stores nothing.
enum LoginCommand {
    static let help = """
        Usage: ossb-registry login REGISTRY [-u USER] [--password-stdin] [--insecure] [--explain]

        Check credentials against REGISTRY and store them for the suite's credential helpers.

        The registry is asked first (GET /v2/, then a token request when it uses bearer tokens); only
        credentials it accepts are stored. When its token server offers a refresh token, that token is stored
        instead of the password (as docker does).

        Options:
          -u, --username USER   The user name (asked for on a terminal when missing)
          --password-stdin      Read the password from standard input (one line)
          --insecure            Allow plain http and unverified TLS for this registry
          --explain             Explain each step on stderr (as OSSB_EXPLAIN=1); never shows a secret
          --help                Show this help

        Exit status: 0 logged in, 1 failed (wrong password, unreachable registry), 2 usage error.

        """

    static let options = [
        ParsedArguments.Option(long: "username", short: "u", takesValue: true),
        ParsedArguments.Option(long: "password-stdin", short: nil, takesValue: false),
        ParsedArguments.Option(long: "insecure", short: nil, takesValue: false),
        ParsedArguments.Option(long: "explain", short: nil, takesValue: false),
        ParsedArguments.Option(long: "help", short: "h", takesValue: false),
    ]

    static func run(_ arguments: [String], context: CommandContext) async -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ParsedArguments(arguments, options: options)
            if parsed.flags.contains("help") {
                context.writeOutput(help)
                return ExitStatus.success
            }
            guard parsed.positionals.count == 1 else {
                throw UsageError(parsed.positionals.isEmpty ? "name the registry to log in to" : "expected one registry, got \(parsed.positionals.count)")
            }
            if parsed.flags.contains("password-stdin") && parsed.values["username"] == nil {
                throw UsageError("--password-stdin needs --username")
            }
            if !parsed.flags.contains("password-stdin") && context.promptTerminal == nil {
                throw UsageError("no terminal to ask for the password: pass it on standard input with --password-stdin")
            }
        } catch let error as UsageError {
            return RegistryCommandLine.usageError("login", error, context: context)
        } catch {
            return RegistryCommandLine.failure("login", "\(error)", context: context)
        }
        let registry = parsed.positionals[0]

        // Credentials: from standard input, or asked for on the terminal.
        var username = parsed.values["username"] ?? ""
        let password: String
        if parsed.flags.contains("password-stdin") {
            password = trimmingOneLineEnd(String(decoding: context.readStandardInput(), as: UTF8.self))
        } else {
            if username.isEmpty { username = context.promptTerminal?("Username: ", true) ?? "" }
            password = context.promptTerminal?("Password: ", false) ?? ""
        }
        guard !username.isEmpty else { return RegistryCommandLine.failure("login", "no user name was given; use -u USER", context: context) }
        guard !password.isEmpty else {
            return RegistryCommandLine.failure("login", "no password was given; pass it on standard input with --password-stdin", context: context)
        }

        let explain = context.explainSink(forced: parsed.flags.contains("explain"))
        var insecure = context.insecureHosts
        if parsed.flags.contains("insecure") { insecure.insert(ServerAddress.host(of: registry)) }
        let client = context.makeClient(insecure, explain)
        let credentials = Credentials(username: username, password: password)
        let outcome: CredentialValidator.Outcome
        do {
            outcome = try await CredentialValidator(client: client, insecureHosts: insecure, explain: explain)
                .validate(registry: registry, credentials: credentials)
        } catch let error as RegistryError {
            return RegistryCommandLine.failure("login", error.message, context: context)
        } catch {
            return RegistryCommandLine.failure("login", "\(error)", context: context)
        }

        let key = RegistryKey.key(for: registry)
        let stored = outcome.refreshToken.map {
            HelperCredential(serverURL: key, username: HelperCredential.identityTokenUsername, secret: $0)
        } ?? HelperCredential(serverURL: key, username: username, secret: password)
        let location: String
        do {
            let store = try context.resolveStore(context.environment)
            if let writable = store as? WritableStore {
                location = try writable.storeReportingLocation(stored)
            } else {
                try store.store(stored)
                location = "the \(store.name) store"
            }
            explain?("ossb: stored \(stored.isIdentityToken ? "an identity token" : "the user name and password") for \(key) in \(location)")
        } catch {
            return RegistryCommandLine.failure("login", "the registry accepted the credentials but they could not be stored: \(error)", context: context)
        }
        // Where the secret now lives is the user's business (a plain-text file is not a keyring); on stderr,
        // as docker's "stored unencrypted" warning, so scripts reading stdout see docker's one line.
        context.writeError("ossb-registry: credentials stored in \(location)\n")
        context.writeOutput("Login Succeeded\n")
        return ExitStatus.success
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

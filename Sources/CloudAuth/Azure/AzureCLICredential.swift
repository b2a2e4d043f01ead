import AuthCore
import FoundationEssentials
import Glibc

/// The Azure CLI's login (`az login`), the chain's last source, as `AzureCLICredential` ends Azure's
/// `DefaultAzureCredential`: `az account get-access-token --output json --resource R [--tenant AZURE_TENANT_ID]`,
/// found on PATH and run without a shell, stdin empty, in `/`, bounded by 10 s (Azure's Go SDK's limit;
/// `OSSB_AZURE_CLI_TIMEOUT` overrides it) and without the credential variables OSSB reads. Its JSON holds
/// `accessToken` and the expiry as `expires_on` (epoch seconds, newer CLIs) or `expiresOn` (local time).
struct AzureCLICredential {
    /// What the CLI gave: a token, or why it has none (not installed, not logged in), for the chain's last line.
    enum Outcome {
        case token(AzureEntraToken)
        case absent(String)
    }

    let context: CloudContext
    let cloud: String
    /// The audience (`AzureEntraToken.resource(forRegistry:)`).
    let resource: String

    /// Seconds `az` may take: Azure's SDKs allow 10.
    static let defaultTimeout: Double = 10

    /// The command as messages name it (never with the tenant or anything secret).
    static let command = "az account get-access-token"

    /// The file `az login`, `az logout` and `az account set` rewrite: its hash keys the token cache, so that
    /// another login is another identity. `$AZURE_CONFIG_DIR/azureProfile.json`, else `~/.azure/azureProfile.json`.
    static func profilePath(_ environment: Environment) -> String {
        let directory = environment["AZURE_CONFIG_DIR"] ?? ((environment["HOME"] ?? "") + "/.azure")
        return directory + "/azureProfile.json"
    }

    /// The environment `az` gets: that of a credential process (without the variables OSSB reads registry
    /// credentials from, nor other sources' secrets), less App Service's per-process identity header.
    static func childEnvironment(_ environment: Environment) -> [String: String] {
        AWSProcessCredentials.childEnvironment(environment).filter { $0.key != "IDENTITY_HEADER" }
    }

    /// Runs `az`. It blocks the calling thread for as long as `az` runs (bounded by `timeout`).
    /// - Throws: `CloudAuthError` when `az` fails otherwise than for want of a login, times out, or prints no token.
    func token() throws(CloudAuthError) -> Outcome {
        let environment = context.environment
        guard let az = Subprocess.locate("az", environment: environment) else {
            context.explain("Azure: the Azure CLI (az) is not on PATH")
            return .absent("the Azure CLI (az) is not on PATH")
        }
        var arguments = ["account", "get-access-token", "--output", "json", "--resource", resource]
        let tenant = environment["AZURE_TENANT_ID"]
        if let tenant { arguments += ["--tenant", tenant] }
        context.explain(
            "Azure: the Azure CLI's login: \(az) \(arguments.joined(separator: " ")) (the last source, as in Azure's DefaultAzureCredential)"
        )
        // Validated as every numeric setting is: a bad value is one line, not a silently ignored setting.
        let timeout: Double
        do {
            timeout = try environment.seconds("OSSB_AZURE_CLI_TIMEOUT", default: Self.defaultTimeout)
        } catch {
            throw CloudAuthError(cloud: cloud, "\(error)")
        }
        var subprocess = Subprocess(
            executable: az, arguments: arguments, environment: Self.childEnvironment(environment),
            timeout: timeout)
        subprocess.workingDirectory = "/"
        let result: Subprocess.Result
        do {
            result = try subprocess.run()
        } catch {
            throw CloudAuthError(cloud: cloud, "Azure: \(az) cannot be run: \(error); reinstall the Azure CLI")
        }
        if result.timedOut {
            throw CloudAuthError(
                cloud: cloud,
                "Azure: `\(Self.command)` did not finish within \(Int(timeout)) s and was stopped; run it by hand to see why (OSSB_AZURE_CLI_TIMEOUT sets the limit)"
            )
        }
        guard result.status == 0 else {
            // The SDKs' test: the CLI asks for a login (never logged in, logged out, expired) in these words.
            if result.stderr.contains("az login") || result.stderr.contains("az account set") {
                context.explain("Azure: the Azure CLI is not logged in")
                return .absent("the Azure CLI is not logged in")
            }
            throw CloudAuthError(
                cloud: cloud,
                "Azure: `\(Self.command)` failed (exit status \(result.status)): \(Self.reason(result.stderr)); run it by hand to see why, or `az login` again"
            )
        }
        return .token(try parse(result.stdout, tenant: tenant))
    }

    /// The line of `az`'s stderr that says what went wrong, made inert and short: after a Python traceback (az's
    /// "unexpected error"), the exception's line (`ValueError: ...`), the last such; else the first `ERROR:` line;
    /// else the first line.
    static func reason(_ stderr: String) -> String {
        let raw = stderr.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }
        let exception = raw.last { line in
            guard let first = line.first, first.isLetter, let colon = line.firstIndex(of: ":") else { return false }
            let name = line[..<colon]
            return (name.hasSuffix("Error") || name.hasSuffix("Exception")) && !name.contains(" ")
        }
        let lines = raw.map { $0.trimmingWhitespace() }
        let chosen =
            (stderr.contains("Traceback") ? exception.map(String.init) : nil)
            ?? lines.first(where: { $0.hasPrefix("ERROR:") }) ?? lines.first
        guard let line = chosen else { return "no message" }
        return TerminalText.sanitized(line.prefix(300))
    }

    /// The token of the CLI's JSON; messages never repeat the JSON, which holds it.
    func parse(_ stdout: String, tenant: String?) throws(CloudAuthError) -> AzureEntraToken {
        guard let object = (try? JSONParser.parse(stdout))?.objectValue,
            let token = object["accessToken"]?.stringValue, !token.isEmpty
        else {
            throw CloudAuthError(
                cloud: cloud,
                "Azure: `\(Self.command)` printed no accessToken in JSON; update the Azure CLI (`az upgrade`)")
        }
        let expiresAt =
            CloudHTTP.integer(object["expires_on"]) ?? object["expiresOn"]?.stringValue.flatMap(Self.localTime)
        let claims = JWT.unverifiedClaims(token)
        // Who: the user's object ID, or the application's for a service principal's login; never a secret.
        let who =
            claims?["oid"]?.stringValue.map { "object \($0)" } ?? claims?["appid"]?.stringValue.map { "client \($0)" }
            ?? "an unnamed principal"
        return AzureEntraToken(
            token: token, expiresAt: expiresAt, identity: "the Azure CLI's login (\(who))",
            tenant: object["tenant"]?.stringValue ?? claims?["tid"]?.stringValue ?? tenant)
    }

    /// Seconds since the epoch of older CLIs' `expiresOn`, "2026-12-01 05:15:03.000000" in local time.
    static func localTime(_ text: String) -> Int64? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == ":" || $0 == "." })
        guard parts.count >= 6 else { return nil }
        let numbers = parts.prefix(6).compactMap { Int32($0) }
        guard numbers.count == 6 else { return nil }
        var fields = tm()
        fields.tm_year = numbers[0] - 1900
        fields.tm_mon = numbers[1] - 1
        fields.tm_mday = numbers[2]
        fields.tm_hour = numbers[3]
        fields.tm_min = numbers[4]
        fields.tm_sec = numbers[5]
        fields.tm_isdst = -1  // whatever daylight saving time was in force then
        let seconds = mktime(&fields)
        return seconds == -1 ? nil : Int64(seconds)
    }
}

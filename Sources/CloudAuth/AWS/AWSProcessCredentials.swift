import AuthCore
import FoundationEssentials

/// A profile's `credential_process`: a program that prints credentials as JSON (`Version` 1, `AccessKeyId`,
/// `SecretAccessKey`, optional `SessionToken` and `Expiration`), as tools such as aws-vault or a company's SSO
/// wrapper provide. The command line is split into words as botocore splits it (POSIX shell quoting, no expansion)
/// and run without a shell, so nothing in it is interpreted; the program's stderr goes straight to the user (it may
/// ask to touch a security key), and its stdout is never repeated in a message, since it holds the secret.
package struct AWSProcessCredentials: Sendable {
    /// The profile that names the program, for messages.
    package let profile: String
    /// The program and its arguments.
    package let words: [String]
    let environment: Environment
    /// Seconds the program may take before it is killed: a minute, as the Go SDK allows, leaves room for a prompt
    /// and still ends a hung program before the minting program's own limit.
    var timeout: Double = 60

    /// The variables a credential process never gets: the registry credentials OSSB reads, and other clouds' and
    /// AWS's own secrets, which a program asked for credentials has no business seeing.
    static let withheld: Set<String> = [
        "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    ]

    /// The environment of a program run for credentials (this one, or Google's executable subject token source):
    /// this process's, without the `withheld` secrets and the registry credentials OSSB reads.
    static func childEnvironment(_ environment: Environment) -> [String: String] {
        environment.variables.filter { !HelperRunner.isCredentialVariable($0.key) && !withheld.contains($0.key) }
    }

    /// Prepares a profile's `credential_process`.
    /// - Throws: `CloudAuthError` when the command line is empty or its quotes do not balance.
    package init(profile: String, command: String, environment: Environment) throws {
        guard let words = Self.words(command), !words.isEmpty else {
            throw CloudAuthError(
                cloud: "AWS",
                "profile \(profile)'s credential_process is empty or has an unbalanced quote or a trailing backslash; quote it as a shell would"
            )
        }
        self.profile = profile
        self.words = words
        self.environment = environment
    }

    /// What names the program in messages: the program alone, since arguments may carry secrets.
    var what: String { "profile \(profile)'s credential_process (\(TerminalText.sanitized(words[0].prefix(200))))" }

    /// The words of a command line, as a POSIX shell would split them without expanding anything: blanks separate
    /// words, single quotes keep everything, double quotes keep everything but `\"` and `\\`, a backslash outside
    /// quotes keeps the next character. `nil` for an unbalanced quote or a trailing backslash.
    static func words(_ command: String) -> [String]? {
        let scalars = Array(command.unicodeScalars)
        var words: [String] = []
        var current = String.UnicodeScalarView()
        var inWord = false
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            switch c {
            case " ", "\t", "\n", "\r":
                if inWord { words.append(String(current)) }
                current = String.UnicodeScalarView()
                inWord = false
            case "'":
                guard let close = scalars[(i + 1)...].firstIndex(of: "'") else { return nil }
                current.append(contentsOf: scalars[(i + 1)..<close])
                inWord = true
                i = close
            case "\"":
                i += 1
                while i < scalars.count, scalars[i] != "\"" {
                    if scalars[i] == "\\", i + 1 < scalars.count, scalars[i + 1] == "\"" || scalars[i + 1] == "\\" {
                        i += 1
                    }
                    current.append(scalars[i])
                    i += 1
                }
                guard i < scalars.count else { return nil }
                inWord = true
            case "\\":
                guard i + 1 < scalars.count else { return nil }
                i += 1
                current.append(scalars[i])
                inWord = true
            default:
                current.append(c)
                inWord = true
            }
            i += 1
        }
        if inWord { words.append(String(current)) }
        return words
    }

    /// Runs the program and reads its credentials. It blocks the calling thread for as long as the program runs
    /// (bounded by `timeout`); the minting program does nothing else meanwhile.
    /// - Throws: `CloudAuthError` naming the profile: the program cannot be run, failed, timed out, or printed no
    ///   version 1 credentials.
    package func fetch() throws -> AWSCredentials {
        let command = CredentialCommand(
            words: words, what: what, cloud: "AWS", prefix: "", configuration: "the profile")
        let stdout = try command.run(
            environment: environment, timeout: timeout,
            timedOut: "\(what) did not finish within \(Int(timeout)) s and was stopped; is it waiting for input?")
        return try Self.credentials(fromJSON: stdout, what: what)
    }

    /// The credentials of the program's JSON answer; the messages never repeat the answer, which holds secrets.
    static func credentials(fromJSON text: String, what: String) throws -> AWSCredentials {
        guard let object = (try? JSONParser.parse(text))?.objectValue,
            let key = object["AccessKeyId"]?.stringValue, !key.isEmpty,
            let secret = object["SecretAccessKey"]?.stringValue, !secret.isEmpty
        else {
            throw CloudAuthError(
                cloud: "AWS",
                "\(what) did not print a JSON object with AccessKeyId and SecretAccessKey; fix the program so that it prints what the AWS SDKs expect"
            )
        }
        guard CloudHTTP.integer(object["Version"]) == 1 else {
            throw CloudAuthError(
                cloud: "AWS",
                "\(what) did not print Version 1, the only version of the answer the AWS SDKs define; update the program"
            )
        }
        var expiresAt: Int64? = nil
        if let expiration = object["Expiration"]?.stringValue {
            guard let date = RFC3339.parse(expiration) else {
                throw CloudAuthError(
                    cloud: "AWS", "\(what) printed an Expiration that is not an RFC 3339 time; fix the program")
            }
            expiresAt = Int64(date.timeIntervalSince1970)
        }
        return AWSCredentials(
            accessKeyID: key, secretAccessKey: secret, sessionToken: object["SessionToken"]?.stringValue,
            expiresAt: expiresAt)
    }
}

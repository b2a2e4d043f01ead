import AuthCore

/// A program a configuration names for credentials (an AWS profile's `credential_process`, a Google
/// executable-sourced subject token): found as a shell would find it, run without a shell with a credential
/// process's environment (`AWSProcessCredentials.childEnvironment`), its stderr passed to the user (it may ask
/// them to touch a key), stopped at a deadline. Each way it can fail is one line naming it; its stdout, which
/// holds the credential, is never repeated.
struct CredentialCommand {
    /// The program and its arguments.
    let words: [String]
    /// The command as messages name it: the program alone, since arguments may carry secrets.
    let what: String
    /// The cloud, for `CloudAuthError`.
    let cloud: String
    /// What every message begins with (`"Google Cloud: "`, or nothing).
    let prefix: String
    /// What the user corrects when the program cannot run: `the profile`, `the command`.
    let configuration: String

    /// Runs the program to its end and returns its standard output.
    /// - Parameters:
    ///   - environment: the environment to look the program up in and to give it (credential variables removed).
    ///   - extra: variables set for the program on top.
    ///   - timedOut: the message when the deadline passes.
    ///   - found: told the program's path once it is found, before it runs (for explanation mode).
    /// - Throws: `CloudAuthError` when the program cannot be found or run, times out or exits non-zero.
    func run(
        environment: Environment, extra: [String: String] = [:], timeout: Double, timedOut: String,
        found: (String) -> Void = { _ in }
    ) throws(CloudAuthError) -> String {
        guard let program = Subprocess.locate(words[0], environment: environment) else {
            throw fault(
                "\(what) cannot be run: it is not an executable file, nor one found on PATH; install it or correct \(configuration)"
            )
        }
        found(program)
        var subprocess = Subprocess(
            executable: program, arguments: Array(words.dropFirst()),
            environment: AWSProcessCredentials.childEnvironment(environment).merging(extra) { $1 }, timeout: timeout)
        subprocess.inheritsStandardError = true
        let result: Subprocess.Result
        do {
            result = try subprocess.run()
        } catch {
            throw fault("\(what) cannot be run: \(error); correct \(configuration)")
        }
        if result.timedOut { throw fault(timedOut) }
        guard result.status == 0 else {
            throw fault(
                "\(what) exited with status \(result.status); fix what it reported above, or run it by hand to see why")
        }
        return result.stdout
    }

    private func fault(_ message: String) -> CloudAuthError { CloudAuthError(cloud: cloud, prefix + message) }
}

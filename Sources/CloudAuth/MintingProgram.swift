import AuthCore

/// `ossb-cloud-mint`, the program that mints cloud credentials (it links libcurl; the cloud helpers do not), run by
/// a cloud helper whose cache has no good credential. It speaks the helper protocol's `get` for one cloud
/// (`ossb-cloud-mint ecr get`), fills the token cache; its stderr (explanations, a credential process's prompts) is this program's.
struct MintingProgram {
    /// The program's name, looked for beside this program first, then on PATH.
    static let name = "ossb-cloud-mint"
    /// Seconds a mint may take: a metadata service, STS and the token endpoint in turn, each bounded on its own,
    /// after a Google executable subject token source that Google lets take up to 120 s.
    static let timeout: Double = 180

    let cloud: CloudRegistry
    let environment: Environment

    func get(_ serverURL: String) throws -> HelperCredential {
        guard
            let path = Subprocess.locate(
                Self.name, environment: environment, directories: Subprocess.ownDirectory.map { [$0] } ?? [])
        else {
            throw CredentialStoreError(
                .unavailable,
                "\(Self.name) is not installed beside this helper or on PATH; reinstall ossb-registry (scripts/install.sh installs both)"
            )
        }
        var subprocess = Subprocess(
            executable: path, arguments: [cloud.rawValue, "get"],
            environment: HelperCredential.askingForExpiry(environment.variables),
            timeout: Self.timeout)
        // Its stderr is this helper's, as it happens: explanations, and a credential process's prompt ("touch your
        // security key") that must show while it waits, not after.
        subprocess.inheritsStandardError = true
        let result: Subprocess.Result
        do {
            result = try subprocess.run(input: Array((serverURL + "\n").utf8))
        } catch {
            throw CredentialStoreError(.unavailable, "\(Self.name): \(error)")
        }
        let line = result.stdout.trimmingWhitespace()
        if result.timedOut {
            throw CredentialStoreError(
                .unavailable,
                "\(Self.name) did not finish within \(Int(Self.timeout)) s; is a metadata service or token endpoint unreachable?"
            )
        }
        guard result.status == 0 else {
            if line == HelperMessages.credentialsNotFound { throw CredentialStoreError(.unavailable, line) }
            throw CredentialStoreError(
                .unavailable, line.isEmpty ? "\(Self.name) failed with status \(result.status)" : line)
        }
        guard let object = (try? JSONParser.parse(line))?.objectValue,
            let credential = HelperCredential(serverURL: serverURL, answer: object)
        else {
            throw CredentialStoreError(.unavailable, "\(Self.name) answered with output that is not a credential")
        }
        return credential
    }
}

/// Runs external credential helpers for the sources that name them (docker's `credsStore` and `credHelpers`,
/// containers' `credHelpers`, registry.json's `credential_helpers`), guarding against recursion.
///
/// `docker-credential-ossb` is itself a helper that docker runs for `"credsStore": "ossb"`. When discovery
/// then reads docker's config, it must not run `ossb` again, and a chain such as ossb -> other helper -> ossb
/// must stop too. Two rules do it: a helper named `ossb` is never run, and every helper run from here gets
/// `OSSB_HELPER_CHAIN=1` in its environment; a discovery that starts with that variable set runs no external
/// helper at all.
///
/// A helper run from here is another program, possibly a third party's: its environment is this process's
/// without the credential variables OSSB itself reads (`isCredentialVariable`), so it never sees a password
/// or token meant for another registry.
public struct HelperRunner: Sendable {
    /// The variable that marks a process started by discovery.
    package static let chainVariable = "OSSB_HELPER_CHAIN"
    /// The helper names that are this suite's front and must never be run by discovery.
    package static let frontNames: Set<String> = ["ossb"]

    /// The environment helpers get (credential variables removed, the chain marker added).
    public let environment: Environment
    /// Directories searched before PATH (this suite's own executables).
    public let searchFirst: [String]
    /// Whether external helpers may run at all (false inside a helper chain).
    public let enabled: Bool

    /// Creates a runner for a discovery environment; `searchFirst` defaults to this program's own directory.
    public init(environment: Environment, searchFirst: [String]? = nil) {
        self.enabled = !environment.flag(Self.chainVariable)
        var child = environment
        child.variables = child.variables.filter { !Self.isCredentialVariable($0.key) }
        child.variables[Self.chainVariable] = "1"
        self.environment = child
        self.searchFirst = searchFirst ?? Subprocess.ownDirectory.map { [$0] } ?? []
    }

    /// Whether a variable is one OSSB reads credentials from, and so is kept from helpers it runs: every
    /// `*_PASSWORD` and `*_IDENTITY_TOKEN` (the env backend's, `DOCKER_PASSWORD` among them), every
    /// `OSSB_REGISTRY_*` binding, and `DOCKER_AUTH_CONFIG` (a whole config.json in a variable).
    package static func isCredentialVariable(_ name: String) -> Bool {
        name.hasSuffix("_PASSWORD") || name.hasSuffix("_IDENTITY_TOKEN")
            || name.hasPrefix(EnvironmentStore.bindingPrefix)
            || name == "DOCKER_AUTH_CONFIG"
    }

    /// Why a helper will not be run, or `nil` when it may be.
    package func refusal(for helper: String) -> String? {
        if Self.frontNames.contains(helper) { return "docker-credential-\(helper) is this front itself; not run again" }
        if !enabled {
            return "already inside a helper chain (\(Self.chainVariable) is set); external helpers are not run"
        }
        return nil
    }

    /// A client for a helper.
    /// - Throws: `HelperClientError` when it is not installed.
    package func client(_ helper: String) throws -> HelperClient {
        try HelperClient(name: helper, environment: environment, searchFirst: searchFirst)
    }
}

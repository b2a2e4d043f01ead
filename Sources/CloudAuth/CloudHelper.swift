import AuthCore
import Glibc

/// The cloud helpers' shared front-end. `docker-credential-ossb-ecr` (and `-gcr`, `-acr`) is one call to `main`;
/// `ossb-cloud-mint` is one call to `mintMain`. The helper protocol itself is `CredentialHelper`'s, byte for byte as
/// the other helpers speak it.
package enum CloudHelper {
    /// The provider for each cloud.
    package static func provider(for cloud: CloudRegistry) -> (any CloudProvider)? {
        switch cloud {
        case .ecr: return ECRProvider()
        case .gcr: return GoogleProvider()
        case .acr: return AzureProvider()
        }
    }

    /// The cloud a provider mints for.
    static func cloud(of provider: any CloudProvider) -> CloudRegistry {
        switch provider.cloudName {
        case "AWS": return .ecr
        case "Azure": return .acr
        default: return .gcr
        }
    }

    /// Runs a cloud helper as a process and exits: a cached credential is served at once, anything else is minted
    /// by `ossb-cloud-mint`. `OSSB_EXPLAIN=1` writes the chain as it is walked to stderr.
    package static func main(provider: any CloudProvider) -> Never {
        let cloud = cloud(of: provider)
        let name = "docker-credential-\(cloud.helperName)"
        CredentialHelper.main(name: name) { environment in
            CloudCredentialStore(
                provider: provider, environment: environment, explain: explainer(name, environment),
                minter: .program(cloud))
        }
    }

    /// Runs `ossb-cloud-mint CLOUD ACTION` and exits: the cloud helper protocol for `CLOUD` (`ecr`, `gcr`, `acr`),
    /// minting in this process.
    /// - Parameter makeHTTP: builds the HTTP client (libcurl) from the environment and the explanation channel.
    package static func mintMain(
        makeHTTP: @escaping @Sendable (Environment, @escaping @Sendable (String) -> Void) -> any HTTPClient
    ) -> Never {
        ProcessHardening.makeNonDumpable()
        signal(SIGPIPE, SIG_IGN)
        var arguments = Array(CommandLine.arguments.dropFirst())
        let clouds = CloudRegistry.allCases.map(\.rawValue).joined(separator: "|")
        // `--version` on its own answers as every other program of the suite does (CompletionTests run them all).
        if ["--version", "-v", "version"].contains(arguments.first ?? "") && arguments.count == 1 {
            StandardStreams.write(CredentialHelper(name: MintingProgram.name).versionLine + "\n", to: 1)
            exit(0)
        }
        let usage = """
            Usage: \(MintingProgram.name) <\(clouds)> <get|list|version>

            Mints a cloud registry credential and fills the token cache. The cloud helpers
            (docker-credential-ossb-ecr, -gcr, -acr) run it when their cache has no good credential; it reads
            the server address on standard input and answers as a credential helper (docs/cloud.md).

            """
        if ["--help", "-h", "help"].contains(arguments.first ?? "") && arguments.count == 1 {
            StandardStreams.write(usage, to: 1)
            exit(0)
        }
        guard let first = arguments.first, let cloud = CloudRegistry(rawValue: first),
            let provider = provider(for: cloud)
        else {
            StandardStreams.write(usage, to: 2)
            exit(2)
        }
        arguments.removeFirst()
        let name = "docker-credential-\(cloud.helperName)"
        let environment = Environment.current
        let explain = explainer(name, environment)
        let outcome = CredentialHelper(name: name, environment: environment).run(
            arguments: arguments,
            readInput: { try FileIO.readAll(fd: 0, path: "standard input", limit: CredentialHelper.inputLimit) },
            makeStore: {
                CloudCredentialStore(
                    provider: provider, environment: environment, explain: explain,
                    minter: .inProcess({ makeHTTP(environment, explain) }))
            })
        StandardStreams.write(outcome.stdout, to: 1)
        StandardStreams.write(outcome.stderr, to: 2)
        exit(outcome.status)
    }

    static func explainer(_ name: String, _ environment: Environment) -> @Sendable (String) -> Void {
        let explaining = environment.flag("OSSB_EXPLAIN")
        return { line in
            if explaining { StandardStreams.write("\(name): explain: \(line)\n", to: 2) }
        }
    }
}

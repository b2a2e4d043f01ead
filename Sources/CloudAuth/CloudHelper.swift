import AuthCore
import Glibc
import HTTPTransport

/// The cloud helpers' shared front-end: `docker-credential-ossb-ecr` (and `-gcr`, `-acr`) is one call to `main`.
/// The helper protocol itself is `CredentialHelper`'s, byte for byte as the other helpers speak it.
package enum CloudHelper {
    /// The provider for each cloud helper.
    package static func provider(for cloud: CloudRegistry) -> (any CloudProvider)? {
        switch cloud {
        case .ecr: return ECRProvider()
        case .gcr, .acr: return nil
        }
    }

    /// Runs a cloud helper as a process and exits. `OSSB_EXPLAIN=1` writes the chain as it is walked to stderr.
    package static func main(provider: any CloudProvider) -> Never {
        let name = CredentialHelperNames.helper(for: provider)
        CredentialHelper.main(name: name) { environment in
            let explaining = environment.flag("OSSB_EXPLAIN")
            let explain: @Sendable (String) -> Void = { line in
                if explaining { StandardStreams.write("\(name): explain: \(line)\n", to: 2) }
            }
            return CloudCredentialStore(
                provider: provider, environment: environment, explain: explain,
                makeHTTP: { RedirectFollowingClient(CurlHTTPClient(environment: environment, explain: explain)) })
        }
    }
}

/// The executable names of the cloud helpers.
enum CredentialHelperNames {
    static func helper(for provider: any CloudProvider) -> String {
        switch provider.cloudName {
        case "AWS": return "docker-credential-\(CloudRegistry.ecr.helperName)"
        case "Azure": return "docker-credential-\(CloudRegistry.acr.helperName)"
        default: return "docker-credential-\(CloudRegistry.gcr.helperName)"
        }
    }
}

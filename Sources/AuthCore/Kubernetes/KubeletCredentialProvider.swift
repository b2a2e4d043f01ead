import Glibc
import RegistryVocabulary

/// `ossb-kubelet-credential-provider`: a kubelet credential provider plugin (the exec API
/// `credentialprovider.kubelet.k8s.io/v1`) that answers with the credentials OSSB would use for the image's
/// registry, so that a node's kubelet pulls with them too.
///
/// kubelet runs the plugin once per image it has no cached credentials for, with the provider's `args`, a
/// `CredentialProviderRequest` on stdin; it reads a `CredentialProviderResponse` from stdout. The answer is
/// keyed by registry (`cacheKeyType` `Registry`) so that kubelet reuses it for every image of that registry;
/// `--cache-duration` sets how long. A registry with no credentials gets a valid answer with an empty `auth`
/// (kubelet then pulls anonymously); a malformed request or failing source is one line on stderr and exit 1.
public struct KubeletCredentialProvider: Sendable {
    /// Finds the credentials for a registry host (`docker.io`, `127.0.0.1:5000`); `nil` when there are none.
    public typealias RegistryLookup = @Sendable (_ registryHost: String) throws -> Credentials?

    /// The executable's name.
    public static let name = "ossb-kubelet-credential-provider"

    /// The largest request accepted; kubelet's is a few hundred bytes (more with a service account token).
    package static let inputLimit = 1 << 20

    /// Where the credentials come from.
    public let lookup: RegistryLookup

    /// A provider over a lookup.
    public init(lookup: @escaping RegistryLookup) {
        self.lookup = lookup
    }

    /// The usage text for `--help` and usage errors.
    package static let usage = """
        Usage: \(name) [--cache-duration=DURATION]
        A kubelet credential provider plugin: reads a CredentialProviderRequest on stdin, writes a
        CredentialProviderResponse with OSSB's credentials for the image's registry on stdout.
          --cache-duration=DURATION  how long kubelet may reuse the answer, in Go syntax (90s, 10m, 1h30m);
                                     without it kubelet uses defaultCacheDuration from its configuration
        """

    /// Answers one request.
    /// - Parameters:
    ///   - arguments: the arguments after the program name (the provider's `args` in kubelet's configuration).
    ///   - input: standard input.
    ///   - environment: `OSSB_EXPLAIN=1` adds a line on stderr saying which registry was asked for and
    ///     whether credentials were found (never the credentials).
    /// - Returns: what to print and the exit status: 0 with a response, 1 for a bad request or a failing
    ///   source, 2 for bad arguments.
    /// The `auth` key for an image's credentials. kubelet matches each key against the image's host label by
    /// label, and its own normalisation folds only `index.docker.io` into `docker.io`: an image it names
    /// `registry-1.docker.io/…` is served only by that key. So Docker Hub's credentials (looked up under
    /// `docker.io`) are keyed by the Hub host name the image spells, and every other registry by its host.
    static func authKey(image: String, registry: String) -> String {
        let written = image.prefix { $0 != "/" }
        return image.contains("/") && DockerHub.isDockerHub(written) ? String(written) : registry
    }

    public func run(arguments: [String], input: [UInt8], environment: Environment) -> HelperOutcome {
        let options: Options
        do {
            options = try Options(arguments: arguments)
        } catch {
            return HelperOutcome(stderr: "\(Self.name): \(error)\n\(Self.usage)\n", status: 2)
        }
        if options.help { return HelperOutcome(stdout: Self.usage + "\n") }
        if options.version { return HelperOutcome(stdout: "\(Self.name) (ossb-registry) \(OSSBVersion.current)\n") }
        do {
            let request = try CredentialProviderRequest(decoding: input)
            let registry: String
            do {
                registry = try ImageReference.parse(request.image).registry
            } catch {
                // The image is kubelet's copy of a pod's text: printed only with control characters made visible.
                throw CredentialProviderError(
                    "the request's image is not an image reference (\(TerminalText.sanitized(error.description))); expected a name such as registry.example.com/team/app:tag"
                )
            }
            var notes: [String] = []
            var auth: [String: Credentials] = [:]
            var expiresAt: Int64? = nil
            if let credentials = try lookup(registry) {
                if !credentials.username.isEmpty, !credentials.password.isEmpty, credentials.identityToken.isEmpty {
                    auth[Self.authKey(image: request.image, registry: registry)] = credentials
                    expiresAt = credentials.expiresAt
                } else if !credentials.isEmpty {
                    // The response has only username and password: kubelet cannot use a token.
                    notes.append(
                        "\(Self.name): the credentials for \(registry) are \(credentials.kind == "registry token" ? "a registry token" : "an identity token"), which kubelet's credential provider API cannot carry; answering with none"
                    )
                }
            }
            if environment.flag("OSSB_EXPLAIN") {
                notes.append(
                    "\(Self.name): image registry \(registry): \(auth.isEmpty ? "no credentials found" : "credentials found")"
                )
            }
            let response = CredentialProviderResponse(
                apiVersion: request.apiVersion,
                cacheDuration: Self.cacheDuration(
                    options.cacheDuration, registry: registry, answered: !auth.isEmpty, expiresAt: expiresAt,
                    now: Int64(time(nil))),
                auth: auth)
            return HelperOutcome(
                stdout: response.json + "\n", stderr: notes.map { $0 + "\n" }.joined())
        } catch let error as CredentialProviderError {
            return HelperOutcome(stderr: "\(Self.name): \(error.message)\n", status: 1)
        } catch let error as CredentialStoreError {
            return HelperOutcome(stderr: "\(Self.name): \(error.message)\n", status: 1)
        } catch {
            return HelperOutcome(stderr: "\(Self.name): \(error)\n", status: 1)
        }
    }

    /// How long kubelet may reuse an answer: the configured duration, bounded for credentials that expire.
    /// - For a cloud registry, whose credentials are short-lived tokens, at most `CloudRegistry.tokenMargin`
    ///   (kubelet asks again, and a cached token costs no network).
    /// - For credentials whose expiry is known (the cloud helpers say it), at most their remaining life less
    ///   `CloudRegistry.tokenMargin`, the time a pull that starts with them is given to finish, as the token cache
    ///   gives it; `0s`, which tells kubelet not to cache the answer at all, when less than that remains. A token
    ///   minted with minutes to live (from AWS credentials about to expire, say) is thus never reused by kubelet
    ///   after it has expired.
    static func cacheDuration(
        _ configured: GoDuration?, registry: String, answered: Bool, expiresAt: Int64?, now: Int64
    ) -> GoDuration? {
        guard answered else { return configured }
        var bound: Int64? = CloudRegistry.serving(host: registry) != nil ? CloudRegistry.tokenMargin : nil
        if let expiresAt {
            bound = min(bound ?? .max, max(0, expiresAt - CloudRegistry.tokenMargin - now))
        }
        guard let bound else { return configured }
        let limit = GoDuration(nanoseconds: min(bound, Int64.max / 1_000_000_000) * 1_000_000_000)
        return configured.map { min($0, limit) } ?? limit
    }

    /// Runs the plugin as a process: real arguments, stdin, environment; writes stdout and stderr and exits.
    /// - Parameter makeLookup: builds the credential lookup from the process environment; called only when a
    ///   request is answered, so `--help` works anywhere.
    public static func main(makeLookup: @escaping @Sendable (Environment) throws -> RegistryLookup) -> Never {
        ProcessHardening.makeNonDumpable()
        signal(SIGPIPE, SIG_IGN)
        let environment = Environment.current
        let arguments = Array(CommandLine.arguments.dropFirst())
        // `--help`, `--version` and bad arguments are answered without reading stdin or building the sources.
        let answersRequest = (try? Options(arguments: arguments)).map { !$0.help && !$0.version } ?? false
        let outcome: HelperOutcome
        do {
            var input: [UInt8] = []
            var lookup: RegistryLookup = { _ in nil }
            if answersRequest {
                input = try FileIO.readAll(fd: 0, path: "standard input", limit: inputLimit)
                lookup = try makeLookup(environment)
            }
            outcome = KubeletCredentialProvider(lookup: lookup).run(
                arguments: arguments, input: input, environment: environment)
        } catch let error as FileTooLarge {
            outcome = HelperOutcome(
                stderr:
                    "\(name): the request is larger than \(error.limit >> 10) KiB; kubelet's is a few hundred bytes\n",
                status: 1)
        } catch {
            outcome = HelperOutcome(stderr: "\(name): \(error)\n", status: 1)
        }
        StandardStreams.write(outcome.stdout, to: 1)
        StandardStreams.write(outcome.stderr, to: 2)
        exit(outcome.status)
    }
}

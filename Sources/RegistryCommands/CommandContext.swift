import AuthCore
import FoundationEssentials
import Glibc
import HTTPTransport

/// Everything a command touches outside itself, so the commands run in-process in tests with their own
/// streams, environment, transport and store.
public struct CommandContext: Sendable {
    /// The environment (`OSSB_*`, `HOME`).
    public var environment: Environment
    /// Reads all of standard input.
    public var readStandardInput: @Sendable () -> [UInt8]
    /// Reads one line from the terminal, echoing it or not (for prompts); `nil` when there is no terminal.
    public var promptTerminal: (@Sendable (_ prompt: String, _ echo: Bool) -> String?)?
    /// Writes to standard output.
    public var writeOutput: @Sendable (String) -> Void
    /// Writes to standard error.
    public var writeError: @Sendable (String) -> Void
    /// registry.json, loaded once per run by `RegistryCommandLine` before a command that reads it starts
    /// (empty until then).
    public var config: RegistryConfig
    /// Makes the HTTP transport for a set of insecure hosts.
    public var makeClient:
        @Sendable (_ insecureHosts: Set<String>, _ explain: (@Sendable (String) -> Void)?) -> any HTTPClient
    /// The writable credential store for registry.json's choice (`WritableStoreResolver` decides which).
    public var resolveStore: @Sendable (RegistryConfig, Environment) throws -> any CredentialStore
    /// Whether standard error is a terminal (progress bars are drawn only then).
    public var stderrIsTerminal: Bool
    /// Whether standard output is a terminal (`inspect --raw` then ends its output with a newline).
    public var stdoutIsTerminal: Bool

    /// Creates a context.
    public init(
        environment: Environment, readStandardInput: @escaping @Sendable () -> [UInt8],
        promptTerminal: (@Sendable (String, Bool) -> String?)? = nil,
        writeOutput: @escaping @Sendable (String) -> Void, writeError: @escaping @Sendable (String) -> Void,
        makeClient: @escaping @Sendable (Set<String>, (@Sendable (String) -> Void)?) -> any HTTPClient,
        resolveStore: @escaping @Sendable (RegistryConfig, Environment) throws -> any CredentialStore =
            WritableStoreResolver.resolve,
        stderrIsTerminal: Bool = false, stdoutIsTerminal: Bool = false
    ) {
        self.stderrIsTerminal = stderrIsTerminal
        self.stdoutIsTerminal = stdoutIsTerminal
        self.environment = environment
        self.readStandardInput = readStandardInput
        self.promptTerminal = promptTerminal
        self.writeOutput = writeOutput
        self.writeError = writeError
        self.config = RegistryConfig()
        self.makeClient = makeClient
        self.resolveStore = resolveStore
    }

    /// The context of this process: its environment and standard streams, libcurl, the suite's writable store.
    public static func process() -> CommandContext {
        let environment = Environment.current
        let readInput: @Sendable () -> [UInt8] = {
            (try? FileIO.readAll(fd: 0, path: "standard input", limit: 1 << 20)) ?? []
        }
        let terminalPrompt: @Sendable (String, Bool) -> String? = { text, echo in TerminalPrompt.read(text, echo: echo)
        }
        let prompt = isatty(0) == 1 ? terminalPrompt : nil
        let makeClient: @Sendable (Set<String>, (@Sendable (String) -> Void)?) -> any HTTPClient = {
            insecure, explain in
            CurlHTTPClient(environment: environment, insecureHosts: insecure, explain: explain)
        }
        return CommandContext(
            environment: environment, readStandardInput: readInput, promptTerminal: prompt,
            writeOutput: { StandardStreams.write($0, to: 1) }, writeError: { StandardStreams.write($0, to: 2) },
            makeClient: makeClient, stderrIsTerminal: isatty(2) == 1, stdoutIsTerminal: isatty(1) == 1)
    }

    /// The explanation sink: stderr lines when `OSSB_EXPLAIN` is set or `--explain` was given, else none.
    func explainSink(forced: Bool) -> (@Sendable (String) -> Void)? {
        guard forced || environment.flag("OSSB_EXPLAIN") else { return nil }
        let write = writeError
        return { write(TerminalText.sanitized($0) + "\n") }
    }
}

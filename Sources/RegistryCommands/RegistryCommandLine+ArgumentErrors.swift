import RegistryClient
import RegistryVocabulary

extension RegistryCommandLine {
    /// Reports an error met while reading a command's arguments: a malformed reference or platform is a usage
    /// error (exit 2), like an unknown option; anything else (an unreadable registry.json) is a failure (exit 1).
    static func argumentFailure(_ command: String, _ error: any Error, context: CommandContext) -> Int32 {
        switch error {
        case let error as UsageError: return usageError(command, error, context: context)
        case let error as ImageReferenceError: return usageError(command, UsageError("\(error)"), context: context)
        case let error as PlatformError: return usageError(command, UsageError("\(error)"), context: context)
        default: return failure(command, "\(error)", context: context)
        }
    }
}

/// A configuration file (registry.json, docker's config.json, an auth.json) is missing, unreadable or
/// malformed. The description names the file and the key, never a value (values may be secrets).
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public let path: String
    /// What is wrong with it, starting with a verb ("is not valid JSON (...)").
    public let message: String

    /// Creates an error.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path) \(message)" }
}

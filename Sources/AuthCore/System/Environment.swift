import FoundationEssentials

/// A snapshot of environment variables.
///
/// Everything in AuthCore reads settings through a value of this type rather than from the process, so that
/// tests (and embedding programs) can hand in exactly the environment they mean. `HOME` is read from here,
/// never from the password database.
public struct Environment: Sendable, Equatable {
    /// The variables by name.
    public var variables: [String: String]

    /// Creates an environment from a dictionary.
    public init(_ variables: [String: String] = [:]) {
        self.variables = variables
    }

    /// The environment of this process.
    public static var current: Environment {
        Environment(ProcessInfo.processInfo.environment)
    }

    /// The value of `name`, or `nil` when unset. An empty value counts as unset, as shells treat `X=`.
    public subscript(name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    /// Whether `name` is set to a true-ish value (`1`, `true`, `yes`, `on`).
    public func flag(_ name: String) -> Bool {
        guard let value = self[name]?.lowercased() else { return false }
        return ["1", "true", "yes", "on"].contains(value)
    }
}

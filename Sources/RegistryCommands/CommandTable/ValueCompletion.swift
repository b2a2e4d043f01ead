/// What a shell completes for an option's value or a positional argument.
enum ValueCompletion: Sendable, Equatable {
    /// Anything (a registry, a reference, a user name): nothing is offered.
    case none
    /// A directory.
    case directories
    /// One of these words.
    case choices([String])

    /// The platforms most images are built for (`--platform`).
    static let platforms = ValueCompletion.choices([
        "linux/amd64", "linux/arm64", "linux/arm/v7", "linux/386", "linux/ppc64le", "linux/s390x",
    ])
}

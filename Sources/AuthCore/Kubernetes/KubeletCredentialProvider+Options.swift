extension KubeletCredentialProvider {
    /// The plugin's arguments: the `args` of its entry in kubelet's `CredentialProviderConfig`.
    struct Options: Equatable {
        /// `--cache-duration`: how long kubelet may reuse an answer; `nil` leaves it to kubelet's
        /// `defaultCacheDuration`.
        var cacheDuration: GoDuration?
        /// `--help` or `-h`.
        var help = false
        /// `--version`.
        var version = false

        /// Parses `--cache-duration=DURATION` (or `--cache-duration DURATION`), `--help`, `--version`.
        /// - Throws: `CredentialProviderError` for an unknown argument or an invalid duration.
        init(arguments: [String]) throws {
            var remaining = arguments[...]
            while let argument = remaining.popFirst() {
                switch argument {
                case "--help", "-h":
                    help = true
                case "--version", "-v":
                    version = true
                case "--cache-duration":
                    guard let value = remaining.popFirst() else {
                        throw CredentialProviderError("--cache-duration needs a value such as 10m")
                    }
                    cacheDuration = try Self.duration(value)
                case _ where argument.hasPrefix("--cache-duration="):
                    cacheDuration = try Self.duration(String(argument.dropFirst("--cache-duration=".count)))
                default:
                    throw CredentialProviderError("unknown argument \"\(argument)\"")
                }
            }
        }

        private static func duration(_ text: String) throws -> GoDuration {
            guard let duration = GoDuration(text) else {
                throw CredentialProviderError(
                    "--cache-duration \"\(text)\" is not a duration; write it as Go does, such as 90s, 10m or 1h30m")
            }
            return duration
        }
    }
}

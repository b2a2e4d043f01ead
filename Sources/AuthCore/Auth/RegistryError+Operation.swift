extension RegistryError {
    /// What was being done when an error happened. The raw values appear in messages (`answered HTTP 500 to
    /// pull_image`) and stay stable: scripts and tests match them. There is no string-literal form, so that each
    /// operation's name is written once, here.
    public struct Operation: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The name shown in messages.
        public let rawValue: String

        /// An operation named `rawValue`.
        public init(rawValue: String) { self.rawValue = rawValue }

        public var description: String { rawValue }

        /// Checking credentials before they are stored.
        public static let login = Operation(rawValue: "login")
        /// Exchanging credentials for a bearer token.
        public static let token = Operation(rawValue: "token")
        /// Fetching manifests and blobs of an image.
        public static let pullImage = Operation(rawValue: "pull_image")
        /// Fetching one blob.
        public static let pullBlob = Operation(rawValue: "pull_blob")
        /// Uploading blobs and manifests.
        public static let pushImage = Operation(rawValue: "push_image")
        /// Copying an image between repositories.
        public static let copy = Operation(rawValue: "copy")
        /// Listing a repository's tags.
        public static let listTags = Operation(rawValue: "list_tags")
        /// Reading or writing the blob cache.
        public static let cache = Operation(rawValue: "cache")
    }
}

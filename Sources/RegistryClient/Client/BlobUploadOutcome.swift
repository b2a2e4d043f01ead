/// What happened to one blob during a push.
public enum BlobUploadOutcome: Sendable, Equatable {
    /// The registry already had it (HEAD answered 200): nothing sent.
    case existed
    /// Mounted from another repository of the same registry (201): nothing sent.
    case mounted(from: String)
    /// Uploaded, in this many requests (1 for a monolithic PUT, more for chunks).
    case uploaded(requests: Int)
}

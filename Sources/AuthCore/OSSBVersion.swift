/// The suite's version, printed by every helper's `version` and by `ossb-registry --version`.
public enum OSSBVersion {
    /// The current release.
    public static let current = "0.1.0"
}

/// Why a string is not a valid image reference. Each case carries the input and a precise reason.
public enum ImageReferenceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reference is empty.
    case empty
    /// The repository name has upper-case letters (docker: "repository name must be lowercase").
    case uppercase(String)
    /// A character that may not appear where it does.
    case badCharacters(String, String)
    /// The repository name is longer than 255 characters.
    case tooLong(String, Int)
    /// The tag is not `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    case badTag(String, String)
    /// The digest is malformed.
    case badDigest(String, String)
    /// The registry part is not a valid host[:port].
    case badRegistry(String, String)

    public var description: String {
        switch self {
        case .empty:
            return "invalid image reference: it is empty; expected [registry/]repository[:tag][@digest]"
        case .uppercase(let name):
            return "invalid image reference \"\(name)\": the repository name must be lower-case"
        case .badCharacters(let name, let reason):
            return "invalid image reference \"\(name)\": \(reason)"
        case .tooLong(let name, let length):
            return
                "invalid image reference \"\(name.prefix(64))…\": the repository name is \(length) characters long, the limit is 255"
        case .badTag(let tag, let reason):
            return "invalid tag \"\(tag)\": \(reason)"
        case .badDigest(let digest, let reason):
            return "invalid digest \"\(digest)\": \(reason)"
        case .badRegistry(let registry, let reason):
            return "invalid registry \"\(registry)\": \(reason)"
        }
    }
}

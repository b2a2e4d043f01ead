/// A content digest, `algorithm:hex` (OCI image spec, "Digests"): `sha256:` followed by 64 lower-case hex
/// digits, or `sha512:` followed by 128. Other registered-looking algorithms parse but cannot be verified.
public struct Digest: Sendable, Hashable, CustomStringConvertible, Comparable {
    /// The algorithm, `sha256` or `sha512`.
    public let algorithm: String
    /// The encoded hash, lower-case hex.
    public let encoded: String

    /// Parses and validates a digest.
    /// - Throws: `ImageReferenceError` with a message naming what is wrong.
    public init(_ text: String) throws(ImageReferenceError) {
        guard let colon = text.firstIndex(of: ":") else {
            throw .badDigest(text, "expected algorithm:hex, such as sha256:<64 hex digits>")
        }
        let algorithm = String(text[..<colon])
        let encoded = String(text[text.index(after: colon)...])
        let algorithmOK =
            !algorithm.isEmpty
            && algorithm.split(separator: "+", omittingEmptySubsequences: false)
                .flatMap { $0.split(separator: ".", omittingEmptySubsequences: false) }
                .flatMap { $0.split(separator: "_", omittingEmptySubsequences: false) }
                .flatMap { $0.split(separator: "-", omittingEmptySubsequences: false) }
                .allSatisfy { !$0.isEmpty && $0.allSatisfy { c in c.isASCII && (c.isLowercase || c.isNumber) } }
        guard algorithmOK else { throw .badDigest(text, "the algorithm \"\(algorithm)\" is not valid") }
        let expectedLength: Int?
        switch algorithm {
        case "sha256": expectedLength = 64
        case "sha512": expectedLength = 128
        default: expectedLength = nil
        }
        if let expectedLength {
            guard encoded.count == expectedLength else {
                throw .badDigest(
                    text, "a \(algorithm) digest has \(expectedLength) hex digits, this one has \(encoded.count)")
            }
            guard encoded.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
                throw .badDigest(text, "the hash must be lower-case hex digits")
            }
        } else {
            guard !encoded.isEmpty,
                encoded.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "=_-".contains($0)) })
            else {
                throw .badDigest(text, "the encoded part is not valid")
            }
        }
        self.algorithm = algorithm
        self.encoded = encoded
    }

    /// A sha256 digest from 64 lower-case hex digits.
    public static func sha256(hex: String) throws(ImageReferenceError) -> Digest {
        try Digest("sha256:\(hex)")
    }

    public var description: String { "\(algorithm):\(encoded)" }

    public static func < (a: Digest, b: Digest) -> Bool { a.description < b.description }
}

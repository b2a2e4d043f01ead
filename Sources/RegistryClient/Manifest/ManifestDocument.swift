import AuthCore
import FoundationEssentials

/// A manifest as received: its exact bytes, its digest, and what it parsed into.
///
/// The bytes are kept because the digest is computed over them: re-serialising a manifest would change its
/// digest. Pushing and `inspect --raw` use these bytes as they are.
public struct ManifestDocument: Sendable, Hashable {
    /// What the bytes are.
    public enum Content: Sendable, Hashable {
        /// A single-platform image manifest.
        case image(ImageManifest)
        /// A multi-platform index.
        case index(ImageIndex)
    }

    /// The bytes exactly as served.
    public let bytes: [UInt8]
    /// The media type: the document's own, else the `Content-Type` it was served with.
    public let mediaType: String
    /// The parsed content.
    public let content: Content

    /// Parses manifest bytes.
    /// - Parameters:
    ///   - bytes: the document.
    ///   - contentType: the `Content-Type` header, used when the document has no `mediaType` (Docker schema 2
    ///     documents always have one; OCI documents may omit it).
    /// - Throws: `ManifestError` for schema 1, unknown media types, and malformed documents.
    public init(bytes: [UInt8], contentType: String? = nil) throws {
        self.bytes = bytes
        struct Probe: Decodable {
            var schemaVersion: Int?
            var mediaType: String?
            var manifests: [Descriptor]?
            var config: Descriptor?
        }
        let probe: Probe
        do {
            probe = try JSONDecoder().decode(Probe.self, from: Data(bytes))
        } catch {
            throw ManifestError.malformed("the manifest is not valid JSON or has fields of the wrong type")
        }
        let headerType = contentType.map { String($0.split(separator: ";").first ?? "").trimmingWhitespace() }
        if probe.schemaVersion == 1
            || [MediaType.dockerSchema1, MediaType.dockerSchema1Signed].contains(probe.mediaType ?? headerType ?? "")
        {
            throw ManifestError.unsupportedMediaType(
                probe.mediaType ?? headerType ?? "schema 1",
                "Docker schema 1 manifests are deprecated and not supported; push the image again with a current client"
            )
        }
        var type = probe.mediaType ?? headerType ?? ""
        if type.isEmpty || type == "application/json" || type == "application/octet-stream" {
            // OCI documents may omit mediaType; their shape decides.
            if probe.manifests != nil {
                type = MediaType.ociIndex
            } else if probe.config != nil {
                type = MediaType.ociManifest
            }
        }
        self.mediaType = type
        do {
            if MediaType.indexes.contains(type) {
                content = .index(try JSONDecoder().decode(ImageIndex.self, from: Data(bytes)))
            } else if MediaType.imageManifests.contains(type) {
                content = .image(try JSONDecoder().decode(ImageManifest.self, from: Data(bytes)))
            } else {
                throw ManifestError.unsupportedMediaType(
                    type.isEmpty ? "(none)" : type, "expected an OCI or Docker schema 2 image manifest or index")
            }
        } catch let error as ManifestError {
            throw error
        } catch {
            throw ManifestError.malformed(
                "the \(type) document is missing required fields or has fields of the wrong type")
        }
    }
}

/// A manifest could not be used.
public enum ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The media type is not one this client reads.
    case unsupportedMediaType(String, String)
    /// The document is not a valid manifest.
    case malformed(String)
    /// The bytes received do not hash to the digest asked for.
    case digestMismatch(expected: String, actual: String)

    public var description: String {
        switch self {
        case .unsupportedMediaType(let type, let hint): return "unsupported manifest media type \(type): \(hint)"
        case .malformed(let reason): return "invalid manifest: \(reason)"
        case .digestMismatch(let expected, let actual):
            return
                "manifest digest mismatch: asked for \(expected), received content hashing to \(actual); the registry or a proxy altered it"
        }
    }
}

import AuthCore
import FoundationEssentials
import Glibc
import RegistryVocabulary

/// An OCI image layout directory (image-spec "image-layout"): `oci-layout`, `blobs/<alg>/<hex>`, `index.json`.
///
/// `pull` adds one image to a new or existing layout (its descriptor in `index.json` annotated with the tag as
/// `org.opencontainers.image.ref.name`, replacing an image of the same name and keeping the others, as skopeo
/// does); `push` reads ours and skopeo's. Blobs are moved in with `rename` after
/// their digest was verified, so a layout never holds a partial or wrong blob under a digest's name.
public struct OCILayout: Sendable {
    /// The annotation naming a descriptor in `index.json`.
    public static let refNameAnnotation = "org.opencontainers.image.ref.name"

    /// The directory.
    public let path: String

    /// The mode of the layout's files: 0644 narrowed by the process's umask, like any file the user writes (the
    /// cache's files are private; the layout's are meant to be shared). The umask is read from
    /// `/proc/self/status`, because `umask(2)` can only be read by changing it, which races with other threads.
    public static let fileMode: mode_t = {
        guard let bytes = (try? FileIO.readIfExists("/proc/self/status", limit: 1 << 16)) ?? nil else { return 0o644 }
        let line = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("Umask:") }
        guard let text = line?.dropFirst("Umask:".count).trimmingPrefix(while: { $0 == " " || $0 == "\t" }),
            let mask = mode_t(text, radix: 8)
        else { return 0o644 }
        return 0o644 & ~mask
    }()

    /// A layout at `path` (nothing is created until `create()`).
    public init(path: String) {
        self.path = path
    }

    /// Creates the directory structure and `oci-layout` if missing.
    /// - Throws: `LayoutError` when the directory cannot be made or holds something that is not a layout.
    public func create() throws {
        // An index.json that cannot be read is refused before anything is written, so the failed pull leaves the
        // directory as it found it (no new oci-layout or blobs/ beside someone's file).
        if access("\(path)/index.json", F_OK) == 0 { _ = try decodedIndex() }
        do {
            try FileIO.makeDirectories("\(path)/blobs/sha256", mode: 0o755)
        } catch {
            throw LayoutError.io("cannot create the layout directory: \(error)")
        }
        let marker = "\(path)/oci-layout"
        if access(marker, F_OK) != 0 {
            try write(Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8), to: marker)
        }
    }

    /// Where a blob lives.
    public func blobPath(_ digest: Digest) -> String {
        "\(path)/blobs/\(digest.algorithm)/\(digest.encoded)"
    }

    /// Whether the layout already has a blob.
    public func hasBlob(_ digest: Digest) -> Bool {
        access(blobPath(digest), F_OK) == 0
    }

    /// Places a verified blob from the cache into the layout: a file of its own (`BlobCache.place`) with the
    /// layout's file mode.
    public func placeBlob(_ digest: Digest, from cached: String) throws {
        try FileIO.makeDirectories("\(path)/blobs/\(digest.algorithm)", mode: 0o755)
        try BlobCache.place(cached, at: blobPath(digest), mode: Self.fileMode)
    }

    /// Moves a verified file into place as a blob.
    public func adoptBlob(_ digest: Digest, from file: String) throws {
        try FileIO.makeDirectories("\(path)/blobs/\(digest.algorithm)", mode: 0o755)
        if rename(file, blobPath(digest)) != 0 {
            throw LayoutError.io("cannot move \(file) into the layout: \(String(cString: strerror(errno)))")
        }
    }

    /// Writes a small blob (a manifest, a config) whose bytes are known.
    public func writeBlob(_ bytes: [UInt8], digest: Digest) throws {
        try FileIO.makeDirectories("\(path)/blobs/\(digest.algorithm)", mode: 0o755)
        try write(bytes, to: blobPath(digest))
    }

    /// Reads a small blob (a manifest, a config, `index.json`'s targets).
    public func readBlob(_ digest: Digest, limit: Int = 64 << 20) throws -> [UInt8] {
        guard let bytes = (try? FileIO.readIfExists(blobPath(digest), limit: limit)) ?? nil else {
            throw LayoutError.missingBlob(digest.description, path)
        }
        return bytes
    }

    /// Writes `index.json` with exactly these descriptors (atomically).
    public func writeIndex(_ descriptors: [Descriptor]) throws {
        try write(ImageIndex(mediaType: MediaType.ociIndex, manifests: descriptors))
    }

    private func write(_ index: ImageIndex) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do { data = try encoder.encode(index) } catch { throw LayoutError.io("cannot encode index.json: \(error)") }
        try write(Array(data), to: "\(path)/index.json")
    }

    /// Adds `descriptor` to `index.json`, keeping the images already listed (created when missing): a
    /// descriptor carrying the same `org.opencontainers.image.ref.name` is replaced, an unnamed one with the same
    /// digest too, any other is kept. The index's own fields (annotations) are kept.
    ///
    /// The read-modify-write holds an exclusive `flock` on the layout directory, so two pulls into one layout at
    /// once both end up listed; `index.json` is replaced atomically, so a reader never sees half of it.
    /// - Throws: `LayoutError` when an existing `index.json` is malformed (it is left untouched) or cannot be written.
    public func add(_ descriptor: Descriptor) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw LayoutError.io("cannot open the layout directory \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw LayoutError.io("cannot lock the layout directory \(path): \(String(cString: strerror(errno)))")
            }
        }
        var index = ImageIndex(mediaType: MediaType.ociIndex, manifests: [])
        if access("\(path)/index.json", F_OK) == 0 {
            index = try readIndex()
            if index.mediaType == nil { index.mediaType = MediaType.ociIndex }
        }
        let name = descriptor.annotations?[Self.refNameAnnotation]
        index.manifests.removeAll { existing in
            let existingName = existing.annotations?[Self.refNameAnnotation]
            if let name { return existingName == name }
            return existingName == nil && existing.digest == descriptor.digest
        }
        index.manifests.append(descriptor)
        try write(index)
    }

    /// Reads `index.json`.
    /// - Throws: `LayoutError` when the directory is not an OCI layout or `index.json` is malformed.
    public func readIndex() throws -> ImageIndex {
        guard access("\(path)/oci-layout", F_OK) == 0 else {
            // Only a missing file means "not a layout"; a directory that cannot be searched says why.
            guard errno == ENOENT || errno == ENOTDIR else {
                throw LayoutError.io("cannot read \(path)/oci-layout: \(String(cString: strerror(errno)))")
            }
            throw LayoutError.notALayout(path)
        }
        return try decodedIndex()
    }

    /// `index.json`, decoded.
    private func decodedIndex() throws -> ImageIndex {
        let read: [UInt8]?
        // FileIO's errors name the file and the reason ("cannot open …: Permission denied").
        do { read = try FileIO.readIfExists("\(path)/index.json") } catch { throw LayoutError.io("\(error)") }
        guard let bytes = read else { throw LayoutError.notALayout(path) }
        do {
            return try JSONDecoder().decode(ImageIndex.self, from: Data(bytes))
        } catch {
            throw LayoutError.malformed(
                "\(path)/index.json is not a valid image index; it was left as it is: repair or move it, or use another directory"
            )
        }
    }

    /// The descriptor `push DIR[:NAME]` means: the one annotated `NAME` when given, else the only one.
    /// - Throws: `LayoutError.ambiguous` listing the names when several exist and none is chosen.
    public func descriptor(named name: String?) throws -> Descriptor {
        let index = try readIndex()
        if let name {
            guard let found = index.manifests.first(where: { $0.annotations?[Self.refNameAnnotation] == name }) else {
                throw LayoutError.nameNotFound(name, path, names(in: index))
            }
            return found
        }
        guard index.manifests.count == 1, let only = index.manifests.first else {
            if index.manifests.isEmpty { throw LayoutError.malformed("\(path)/index.json lists no image") }
            throw LayoutError.ambiguous(path, names(in: index))
        }
        return only
    }

    private func names(in index: ImageIndex) -> [String] {
        index.manifests.compactMap { $0.annotations?[Self.refNameAnnotation] }
    }

    private func write(_ bytes: [UInt8], to file: String) throws {
        do {
            try AtomicFile.write(bytes, to: file, mode: Self.fileMode)
        } catch {
            throw LayoutError.io("cannot write \(file): \(error)")
        }
    }
}

/// An OCI layout could not be read or written.
public enum LayoutError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The directory has no `oci-layout` or `index.json`.
    case notALayout(String)
    /// A file of the layout is malformed.
    case malformed(String)
    /// A blob the manifests name is missing.
    case missingBlob(String, String)
    /// No descriptor carries the requested name.
    case nameNotFound(String, String, [String])
    /// Several images and no name chosen.
    case ambiguous(String, [String])
    /// A file operation failed.
    case io(String)

    public var description: String {
        switch self {
        case .notALayout(let path):
            return
                "\(path) is not an OCI image layout (no oci-layout or index.json); name a directory written by ossb-registry pull --output or skopeo's oci:DIR"
        case .malformed(let reason): return reason
        case .missingBlob(let digest, let path): return "the layout \(path) is missing blob \(digest)"
        case .nameNotFound(let name, let path, let names):
            return
                "the layout \(path) has no image named \"\(name)\"; it has: \(names.isEmpty ? "no named images" : names.joined(separator: ", "))"
        case .ambiguous(let path, let names):
            return
                "the layout \(path) holds several images; choose one as \(path):NAME (names: \(names.joined(separator: ", ")))"
        case .io(let reason): return reason
        }
    }
}

import AuthCore
import Glibc
import HTTPTransport
import RegistryVocabulary

/// A layout's blobs are believed only once their content is checked: a pull does not keep a tampered file that
/// happens to carry a digest's name, and a push sends nothing but the bytes the manifest names.
extension OCILayout {
    /// Removes the layout's file for `digest` unless it is a regular file of `size` bytes whose content hashes
    /// to `digest`, so that writing the blob afterwards replaces it.
    /// - Returns: whether a verified blob is in place.
    @discardableResult
    package func removeUnverifiedBlob(_ digest: Digest, size: Int64) -> Bool {
        verifiedBlobFile(digest, size: size) != nil
    }

    /// `removeUnverifiedBlob`, telling which file was verified (so that the cache can take that very file).
    /// - Returns: the verified file, or nil when none is in place (any other file under the name is removed).
    package func verifiedBlobFile(_ digest: Digest, size: Int64) -> FileIdentity? {
        let file = blobPath(digest)
        var st = stat()
        guard lstat(file, &st) == 0 else { return nil }
        if st.st_mode & S_IFMT == S_IFREG, Int64(st.st_size) == size, let hashed = FileHash.sha256(regularFile: file),
            hashed.digest == digest.description, hashed.bytes == size
        {
            return hashed.file
        }
        unlink(file)
        return nil
    }

    /// The blob `digest` checked for upload: reached without following a symbolic link anywhere below the
    /// layout directory (a crafted layout could otherwise point `blobs/sha256/<hex>` at a private key), a
    /// regular file, `size` bytes long, and hashing to `digest`, all before a byte of it is sent.
    /// - Returns: its path.
    /// - Throws: `LayoutError` naming the blob and what is wrong with it.
    package func blobForUpload(_ digest: Digest, size: Int64) throws -> String {
        let name = "blobs/\(digest.algorithm)/\(digest.encoded)"
        guard digest.algorithm == "sha256" else {
            throw LayoutError.malformed(
                "cannot verify blob \(digest) of \(path): only sha256 is supported; nothing was uploaded from it")
        }
        var fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw LayoutError.io("cannot open the layout \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let components = ["blobs", digest.algorithm, digest.encoded]
        for (i, component) in components.enumerated() {
            let last = i == components.count - 1
            let next = openat(fd, component, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? 0 : O_DIRECTORY))
            guard next >= 0 else {
                let reason =
                    errno == ELOOP || errno == ENOTDIR
                    ? "\(components[0...i].joined(separator: "/")) is a symbolic link or not a directory; a layout's blobs must be regular files inside it"
                    : errno == ENOENT ? "it is missing" : String(cString: strerror(errno))
                throw LayoutError.malformed(
                    "the layout \(path) cannot provide blob \(digest): \(reason); nothing was uploaded from it")
            }
            close(fd)
            fd = next
        }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw LayoutError.malformed("\(path)/\(name) is not a regular file; nothing was uploaded from it")
        }
        guard Int64(st.st_size) == size else {
            throw LayoutError.malformed(
                "\(path)/\(name) is \(st.st_size) bytes, the manifest says \(size); nothing was uploaded from it")
        }
        let hashed: (digest: String, bytes: Int64)
        do { hashed = try FileHash.sha256(fd: fd, path: "\(path)/\(name)") } catch {
            throw LayoutError.io("cannot read \(path)/\(name): \(error)")
        }
        guard hashed.digest == digest.description, hashed.bytes == size else {
            throw LayoutError.malformed(
                "\(path)/\(name) does not match its digest \(digest) (its content hashes to \(hashed.digest)); nothing was uploaded from it"
            )
        }
        return "\(path)/\(name)"
    }

    /// A manifest or index from the layout, checked against its descriptor's digest and size.
    /// - Throws: `LayoutError` when it is missing or does not match.
    package func verifiedManifest(_ descriptor: Descriptor) throws -> (bytes: [UInt8], digest: Digest) {
        let digest: Digest
        do { digest = try descriptor.parsedDigest() } catch {
            throw LayoutError.malformed("\(path) names a manifest by an invalid digest: \(error)")
        }
        let bytes = try readBlob(digest, limit: RegistryClient.manifestLimit)
        let hash = SHA256Digest()
        hash.update(bytes)
        let actual = hash.finish()
        guard actual == digest.description, Int64(bytes.count) == descriptor.size else {
            throw LayoutError.malformed(
                "the layout \(path) holds manifest \(digest) as \(bytes.count) bytes hashing to \(actual), not the \(descriptor.size) bytes its descriptor says; nothing was pushed"
            )
        }
        return (bytes, digest)
    }
}

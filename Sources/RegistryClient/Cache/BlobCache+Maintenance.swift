import Glibc

extension BlobCache {
    /// How much the cache holds (or, from `prune`, how much was removed).
    public struct Usage: Sendable, Equatable {
        /// Verified blobs.
        public var blobs = 0
        /// Their bytes.
        public var blobBytes: Int64 = 0
        /// Of the blobs, those whose file has another name too (a pulled layout's file, `fill(from:as:)`):
        /// removing them from the cache frees no space while that name remains.
        public var sharedBlobs = 0
        /// Their bytes.
        public var sharedBytes: Int64 = 0
        /// Partial downloads (`tmp/*.partial`).
        public var partials = 0
        /// Their bytes.
        public var partialBytes: Int64 = 0
        /// Of the partial downloads, those whose process no longer runs.
        public var stalePartials = 0
        /// The cache's own records: which repositories hold each blob (`origins/`) and verification stamps
        /// (`verified/`).
        public var records = 0
        /// Their bytes.
        public var recordBytes: Int64 = 0
    }

    /// Counts blobs and partial downloads.
    public func usage() -> Usage {
        var usage = Usage()
        for (_, size, links) in blobFiles() {
            usage.blobs += 1
            usage.blobBytes += size
            if links > 1 {
                usage.sharedBlobs += 1
                usage.sharedBytes += size
            }
        }
        for (name, size) in partialFiles() {
            usage.partials += 1
            usage.partialBytes += size
            if Self.isStalePartial(name) { usage.stalePartials += 1 }
        }
        for (_, size) in recordFiles() {
            usage.records += 1
            usage.recordBytes += size
        }
        return usage
    }

    /// Frees disk space: removes partial downloads left by processes that no longer run (those of running
    /// downloads are kept) and, unless `partialsOnly`, every cached blob and the cache's records (where blobs
    /// live, verification stamps).
    /// The cache is only a shortcut: the next pull downloads again what it needs.
    /// - Returns: what was removed.
    @discardableResult
    public func prune(partialsOnly: Bool) -> Usage {
        var removed = Usage()
        for (name, size) in partialFiles() where Self.isStalePartial(name) && unlink("\(root)/tmp/\(name)") == 0 {
            removed.partials += 1
            removed.stalePartials += 1
            removed.partialBytes += size
        }
        guard !partialsOnly else { return removed }
        for (path, size, links) in blobFiles() where unlink(path) == 0 {
            removed.blobs += 1
            removed.blobBytes += size
            if links > 1 {
                removed.sharedBlobs += 1
                removed.sharedBytes += size
            }
        }
        for (path, size) in recordFiles() where unlink(path) == 0 {
            removed.records += 1
            removed.recordBytes += size
        }
        // The emptied directories (and anything in them that is no record).
        for directory in Self.recordDirectories { FileTree.remove("\(root)/\(directory)") }
        return removed
    }

    /// Every blob file: `blobs/<algorithm>/<encoded>` with its size and its number of names (links).
    private func blobFiles() -> [(path: String, size: Int64, links: Int)] {
        FileTree.names(in: "\(root)/blobs").flatMap { algorithm in
            FileTree.names(in: "\(root)/blobs/\(algorithm)").compactMap { name in
                let path = "\(root)/blobs/\(algorithm)/\(name)"
                var info = stat()
                guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
                return (path, Int64(info.st_size), Int(info.st_nlink))
            }
        }
    }

    /// The directories of the cache's records: `origins/` (files `<hex>` from earlier versions and
    /// `registries/<host>`) and `verified/<algorithm>/`.
    static let recordDirectories = ["origins", "verified"]

    /// Every record file, with its size: two levels deep below each of `recordDirectories`.
    private func recordFiles() -> [(String, Int64)] {
        Self.recordDirectories.flatMap { directory in
            FileTree.names(in: "\(root)/\(directory)").flatMap { name -> [(String, Int64)] in
                let path = "\(root)/\(directory)/\(name)"
                if let size = FileTree.size(of: path) { return [(path, size)] }
                guard FileTree.isDirectory(path) else { return [] }
                return FileTree.names(in: path).compactMap { inner in
                    FileTree.size(of: "\(path)/\(inner)").map { ("\(path)/\(inner)", $0) }
                }
            }
        }
    }

    /// Every partial download in `tmp/`: its name and size.
    private func partialFiles() -> [(String, Int64)] {
        FileTree.names(in: "\(root)/tmp").filter { $0.hasSuffix(".partial") }.compactMap { name in
            FileTree.size(of: "\(root)/tmp/\(name)").map { (name, $0) }
        }
    }
}

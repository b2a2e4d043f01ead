import AuthCore
import Glibc
import Synchronization

/// The blobs of one pull between verification and visibility: verified downloads in the cache's `tmp/` (a pull
/// without a layout), or beside a layout's blob names, and copies of cached blobs beside those names, none of
/// them synced. `commit()` makes them all durable in one `DurabilityPass`, then renames each under its digest's
/// name; so a power cut never leaves a partial or wrong blob under a digest's name, and a pull of 200 blobs pays
/// one sync instead of 200. A pull into a layout then keeps its downloads in the cache too, as second names of
/// the layout's files, without writing or syncing them again (`BlobCache.fill(from:as:)`).
///
/// Blobs are added from the concurrent transfers; `commit()` and `discard()` run once they have all ended.
final class BlobBatch: Sendable {
    let cache: BlobCache
    /// The layout receiving copies, when the pull writes one.
    let layout: OCILayout?

    private struct Pending {
        var downloads: [StagedBlob] = []
        /// Copies in a layout: the temporary file and the blob name it becomes.
        var copies: [(temporary: String, destination: String)] = []
        /// Downloads placed in the layout that the cache keeps too.
        var fills: [Fill] = []
        /// Where blobs found in the cache were found, recorded with the downloads' origins.
        var cachedOrigins: [BlobOrigin] = []
    }
    private let pending = Mutex(Pending())

    init(cache: BlobCache, layout: OCILayout? = nil) {
        self.cache = cache
        self.layout = layout
    }

    /// Adds a verified download.
    func add(_ download: StagedBlob) {
        pending.withLock { $0.downloads.append(download) }
    }

    /// Notes that a blob the cache already holds lives where this pull found it: recorded at `commit()` with the
    /// downloads' origins, in one write for the whole pull.
    func addOrigin(_ origin: BlobOrigin) {
        pending.withLock { $0.cachedOrigins.append(origin) }
    }

    /// Adds a verified file beside a layout's blob name: a copy (`BlobCache.stageCopy`) or a download.
    /// - Parameter download: the download `temporary` is, when the cache should keep it once it is placed.
    func addCopy(_ temporary: String, becoming destination: String, caching download: StagedBlob? = nil) {
        pending.withLock {
            $0.copies.append((temporary, destination))
            if let download { $0.fills.append(Fill(destination: destination, download: download, placed: false)) }
        }
    }

    /// Has the cache keep a blob the layout already held, verified as `blob.file` (a pull into an existing layout
    /// after the cache was pruned downloads nothing). Another program wrote that file and may not have synced it:
    /// its stamp holds in this boot only.
    func addKept(_ blob: StagedBlob) {
        pending.withLock { $0.fills.append(Fill(destination: blob.temporary, download: blob, placed: true)) }
    }

    /// Makes every staged file durable in one pass, then renames the downloads into the cache and the copies
    /// into the layout, keeps in the cache the layout's downloads it should (after they are placed), and records
    /// where the blobs that entered or were found in the cache live (one write per registry, not a file per
    /// blob). Whatever is left when this throws is discarded.
    /// - Returns: the first error of keeping a placed blob in the cache, if any did fail (the pull is complete;
    ///   the caller warns), and how many failed.
    /// - Throws: `SystemError` from the sync or a rename.
    @discardableResult
    func commit() throws -> (failure: any Error, count: Int)? {
        let (downloads, copies, fills, cachedOrigins) = pending.withLock { pending in
            defer { pending = Pending() }
            return (pending.downloads, pending.copies, pending.fills, pending.cachedOrigins)
        }
        var committed = 0
        var placed = 0
        var filled: [BlobOrigin] = []
        defer {
            for download in downloads[committed...] { discard(download.temporary) }
            for copy in copies[placed...] { BlobCache.discardCopy(copy.temporary) }
            cache.recordOrigins(cachedOrigins + downloads[..<committed].map(\.origin) + filled)
        }
        // The cache's file system only when something goes into the cache: a pull that does not write the cache
        // must not touch it (it may not even exist).
        let staged = downloads.map(\.temporary) + copies.map(\.temporary)
        // Where the cache is on another file system it gets copies, which cost time of their own (1 GiB about
        // 0.3 s here): made while a pass of an `fdatasync` per file waits for the disk, from the files not yet
        // renamed. Not while a `syncfs` runs, which would write them too; then after it, from the placed files.
        let early = staged.count <= DurabilityPass.syncEachFileUpTo ? startFills(fills) : nil
        var fillCopies: [Result<(temporary: String, linked: Bool), any Error>]?
        defer {
            // Copies not committed (the pass or a rename failed) are removed.
            if fillCopies == nil, let copies = early?.wait() {
                for case .success(let staged) in copies { BlobCache.discardCopy(staged.temporary) }
            }
        }
        try DurabilityPass.sync(
            staged, on: (downloads.isEmpty ? [] : [cache.root]) + (layout.map { [$0.path] } ?? []))
        for download in downloads {
            _ = try cache.commit(download.temporary, as: download.digest)
            committed += 1
        }
        for copy in copies {
            try BlobCache.commitCopy(copy.temporary, to: copy.destination)
            placed += 1
        }
        let made =
            early?.wait()
            ?? fills.map { fill in
                Result {
                    try cache.stageFill(from: fill.destination, as: fill.origin.digest, expecting: fill.download.file)
                }
            }
        fillCopies = made
        var failure: (any Error, Int)?
        for (fill, copy) in zip(fills, made) {
            do {
                // A link shares the layout's file, synced by the pass (unless it was there before); a copy was not
                // synced.
                let staged = try copy.get()
                _ = try cache.commit(staged.temporary, as: fill.origin.digest, synced: staged.linked && !fill.placed)
                filled.append(fill.origin)
            } catch {
                if case .success(let staged) = copy { BlobCache.discardCopy(staged.temporary) }
                failure = (failure?.0 ?? error, (failure?.1 ?? 0) + 1)
            }
        }
        return failure.map { (failure: $0.0, count: $0.1) }
    }

    /// A download placed in the layout that the cache keeps too.
    private struct Fill: Sendable {
        /// Its name in the layout.
        let destination: String
        /// The verified download: its temporary name, its file, where it came from.
        let download: StagedBlob
        /// Whether the layout held it before this pull (no temporary name, not covered by the pass).
        let placed: Bool
        var origin: BlobOrigin { download.origin }
    }

    /// Starts making the cache's copies of `fills` from their temporary files on a thread of its own; nil when
    /// there are none or no thread could be started (they are made after the pass then).
    private func startFills(_ fills: [Fill]) -> ThreadResult<[Result<(temporary: String, linked: Bool), any Error>]>? {
        if fills.isEmpty { return nil }
        let cache = self.cache
        return ThreadResult.start {
            fills.map { fill in
                Result {
                    do {
                        return try cache.stageFill(
                            from: fill.download.temporary, as: fill.origin.digest, expecting: fill.download.file)
                    } catch let error as SystemError where error.code == ENOENT {
                        // Renamed meanwhile (rename is atomic: the file has one of the two names).
                        return try cache.stageFill(
                            from: fill.destination, as: fill.origin.digest, expecting: fill.download.file)
                    }
                }
            }
        }
    }

    /// Removes every staged file: the pull was cancelled.
    func discard() {
        let (downloads, copies) = pending.withLock { pending in
            defer { pending = Pending() }
            return (pending.downloads, pending.copies)
        }
        for download in downloads { discard(download.temporary) }
        for copy in copies { BlobCache.discardCopy(copy.temporary) }
    }

    private func discard(_ temporary: String) {
        unlink(temporary)
        InterruptCleanup.unregister(temporary)
    }
}

import AuthCore
import Glibc
import RegistryClient

/// `ossb-registry cache du | prune`: the blob cache's disk use, and freeing it.
struct CacheCommand: RegistryCommand {
    static let spec = CommandSpec(
        name: "cache", summary: "Show or free the disk space of the blob cache",
        discussion: """
            The blob cache ($OSSB_CACHE_DIR, else $XDG_CACHE_HOME/ossb, else ~/.cache/ossb) keeps every verified
            blob that pull, push and copy transferred, so they are not transferred again.

            Commands:
              du           Show the cache's directory, its blobs and partial downloads with their sizes
              prune        Remove every cached blob and the partial downloads of processes that no longer run
                           (downloads in progress are kept); the next pull downloads again what it needs
            """,
        positionals: [CommandPositional(name: "du|prune", noun: "action", completion: .choices(["du", "prune"]))],
        missing: "name what to do: du or prune",
        options: [
            CommandOption("partials", help: "With prune: remove only the partial downloads interrupted processes left")
        ],
        readsConfiguration: false)

    let prune: Bool
    let partialsOnly: Bool

    init(_ arguments: ParsedArguments, context: CommandContext) throws {
        prune = arguments.positionals[0] == "prune"
        partialsOnly = arguments.has("partials")
        if partialsOnly && !prune { throw UsageError("--partials goes with prune") }
    }

    func run(context: CommandContext) async throws {
        let cache = try BlobCache(environment: context.environment)
        // The checks pull makes before it uses the cache. prune unlinks files below the directory, so one that
        // others may write could point it elsewhere with a symbolic link planted as `blobs`.
        var info = stat()
        if stat(cache.root, &info) == 0 && info.st_mode & S_IFMT != S_IFDIR {
            throw CommandFailure(
                "the blob cache \(cache.root) is not a directory; move it away, or point OSSB_CACHE_DIR at a directory")
        }
        try cache.requirePrivateRoot()
        let size = TerminalProgress.formatBytes
        if prune {
            let removed = cache.prune(partialsOnly: partialsOnly)
            let freed = removed.blobBytes - removed.sharedBytes + removed.partialBytes + removed.recordBytes
            let kept =
                removed.sharedBlobs == 0
                ? ""
                : " (\(removed.sharedBlobs) of the blobs, \(size(removed.sharedBytes)), are still files of layouts)"
            context.writeOutput(
                "Removed \(removed.blobs) blobs and \(removed.partials) partial downloads from \(cache.root): \(size(freed)) freed\(kept)\n"
            )
            return
        }
        let usage = cache.usage()
        // Removing those frees nothing while the layouts keep them.
        let shared =
            usage.sharedBlobs == 0
            ? "" : " (\(usage.sharedBlobs), \(size(usage.sharedBytes)), shared with layouts)"
        context.writeOutput(
            """
            Blob cache:         \(cache.root)
            Blobs:              \(usage.blobs), \(size(usage.blobBytes))\(shared)
            Partial downloads:  \(usage.partials), \(size(usage.partialBytes)) (\(usage.stalePartials) left by processes that no longer run)
            Records:            \(usage.records), \(size(usage.recordBytes)) (where blobs came from, verification stamps)

            """)
    }
}

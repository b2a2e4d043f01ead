import AuthCore
import RegistryClient

/// `ossb-registry cache du | prune`: the blob cache's disk use, and freeing it.
enum CacheCommand {
    static let help = """
        Usage: ossb-registry cache du
               ossb-registry cache prune [--partials]

        The blob cache ($OSSB_CACHE_DIR, else $XDG_CACHE_HOME/ossb, else ~/.cache/ossb) keeps every verified
        blob that pull, push and copy transferred, so they are not transferred again.

        Commands:
          du           Show the cache's directory, its blobs and partial downloads with their sizes
          prune        Remove every cached blob and the partial downloads of processes that no longer run
                       (downloads in progress are kept); the next pull downloads again what it needs

        Options:
          --partials   With prune: remove only the partial downloads interrupted processes left
          --help       Show this help

        Exit status: 0 success, 1 failure (one line on stderr), 2 usage error.

        """

    static func run(_ arguments: [String], context: CommandContext) -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ParsedArguments(arguments, options: [
                .init(long: "help", short: "h", takesValue: false), .init(long: "partials", short: nil, takesValue: false),
            ])
            if parsed.flags.contains("help") {
                context.writeOutput(help)
                return ExitStatus.success
            }
            guard parsed.positionals.count == 1, ["du", "prune"].contains(parsed.positionals[0]) else {
                throw UsageError(parsed.positionals.isEmpty ? "name what to do: du or prune" : "expected du or prune, got \(parsed.positionals.joined(separator: " "))")
            }
            if parsed.flags.contains("partials") && parsed.positionals[0] != "prune" {
                throw UsageError("--partials goes with prune")
            }
        } catch {
            return RegistryCommandLine.argumentFailure("cache", error, context: context)
        }
        let cache: BlobCache
        do { cache = try BlobCache(environment: context.environment) } catch {
            return RegistryCommandLine.failure("cache", "\(error)", context: context)
        }
        let size = TerminalProgress.formatBytes
        if parsed.positionals[0] == "du" {
            let usage = cache.usage()
            context.writeOutput("""
                Blob cache:         \(cache.root)
                Blobs:              \(usage.blobs), \(size(usage.blobBytes))
                Partial downloads:  \(usage.partials), \(size(usage.partialBytes)) (\(usage.stalePartials) left by processes that no longer run)

                """)
        } else {
            let removed = cache.prune(partialsOnly: parsed.flags.contains("partials"))
            context.writeOutput("Removed \(removed.blobs) blobs and \(removed.partials) partial downloads from \(cache.root): \(size(removed.blobBytes + removed.partialBytes)) freed\n")
        }
        return ExitStatus.success
    }
}

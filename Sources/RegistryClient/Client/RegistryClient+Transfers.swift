import AuthCore
import RegistryVocabulary

extension RegistryClient {
    /// Runs `transfer` for each element with at most `maxConcurrentTransfers` in flight (a large image neither
    /// opens a connection per layer nor waits on one layer at a time). Results come in the order the transfers
    /// finished; the first error cancels the transfers still running and is thrown.
    func transferConcurrently<Element: Sendable, Result: Sendable>(
        _ elements: [Element], _ transfer: @escaping @Sendable (Element) async throws -> Result
    ) async throws -> [Result] {
        try await withThrowingTaskGroup(of: Result.self) { group in
            var pending = elements.makeIterator()
            for _ in 0..<max(1, options.maxConcurrentTransfers) {
                guard let element = pending.next() else { break }
                group.addTask { try await transfer(element) }
            }
            var results: [Result] = []
            while let result = try await group.next() {
                results.append(result)
                if let element = pending.next() { group.addTask { try await transfer(element) } }
            }
            return results
        }
    }

    /// The blobs paired with their parsed digests, checked before any transfer starts: a digest is the registry's
    /// (or the layout's) text and becomes part of paths and file names.
    /// - Throws: `RegistryError` (manifest) naming the invalid digest's problem.
    func blobsWithDigests(
        _ blobs: [Descriptor], operation: RegistryError.Operation, registry: String
    ) throws -> [(blob: Descriptor, digest: Digest)] {
        try blobs.map { blob in
            do { return (blob, try blob.parsedDigest()) } catch {
                throw RegistryError(
                    .manifest, operation: operation, registry: registry,
                    message: "a manifest names an invalid blob digest: \(error)")
            }
        }
    }
}

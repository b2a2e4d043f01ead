import AuthCore
import FoundationEssentials
import RegistryVocabulary

extension RegistryClient {
    /// The platform fields of an image configuration.
    private struct ConfigPlatform: Decodable {
        var os: String?
        var architecture: String?
        var variant: String?
    }

    /// Checks that a single-platform image suits an explicitly requested platform. An index is resolved by
    /// platform; a plain manifest has no platform of its own, so its configuration (a small blob, kept in the cache)
    /// says what it is. The same matching rules as for an index apply (`PlatformSelector`).
    /// - Throws: `RegistryError` (manifest) naming the image's platform when it does not match. When the
    ///   configuration names no platform, a warning is printed instead.
    func verifyPlatform(
        _ requested: Platform, of manifest: ImageManifest, reference: ImageReference, source: String,
        operation: RegistryError.Operation
    ) async throws {
        let digest: Digest
        do { digest = try manifest.config.parsedDigest() } catch {
            throw RegistryError(
                .manifest, operation: operation, registry: reference.registry,
                message: "the manifest names an invalid config digest: \(error)")
        }
        let sources = [source] + pullSources(for: reference).filter { $0 != source }
        let path = try await fetchBlob(
            reference, digest: digest, size: manifest.config.size, sources: sources, progress: SilentProgress())
        let bytes = (try? FileIO.readIfExists(path, limit: Int(RegistryClient.manifestLimit))) ?? nil
        let config = bytes.flatMap { try? JSONDecoder().decode(ConfigPlatform.self, from: Data($0)) }
        guard let os = config?.os, !os.isEmpty, let architecture = config?.architecture, !architecture.isEmpty else {
            options.warn(
                "\(reference.familiarName) is a single-platform image whose configuration does not say its platform; it may not run on \(requested)"
            )
            return
        }
        let actual = Platform(os: os, architecture: architecture, variant: config?.variant)
        let single = ImageIndex(
            mediaType: nil,
            manifests: [
                Descriptor(mediaType: manifest.mediaType ?? "", digest: digest.description, size: 0, platform: actual)
            ])
        do {
            _ = try PlatformSelector.select(requested, from: single, reference: reference.familiarName)
        } catch {
            throw RegistryError(
                .manifest, operation: operation, registry: reference.registry,
                message:
                    "\(reference.familiarName) is a single-platform image for \(actual), not \(requested); leave out --platform to use it anyway",
                cause: error)
        }
    }
}

import AuthCore
import Foundation
import OSSBTestSupport
import RegistryVocabulary
import Testing

@testable import RegistryClient

/// Where blobs came from, as a pull records it in the cache and a push reads it to mount instead of uploading,
/// against a real docker-registry.
@Suite(.enabled(if: RegistryTestBed.available, "needs scripts/test.sh's registry and fault proxy"))
struct OriginRecordTests {
    let home = TemporaryDirectory()

    func ref(_ repo: String, _ tag: String) throws -> ImageReference {
        try ImageReference.parse("\(RegistryTestBed.basic!.address)/\(repo):\(tag)")
    }

    /// The files under the cache's `origins/`, relative to it.
    func originFiles(_ client: RegistryClient) -> [String] {
        let root = "\(client.cache.root)/origins"
        return (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: "\(root)/\($0)", isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }.sorted()
    }

    @Test func aPullRecordsOneFilePerRegistryAndAPushToAnotherRepositoryMounts() async throws {
        let repo = RegistryTestBed.unique("origins/src")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1", layers: 5)
        let client = try RegistryTestBed.client(home: home)
        let layout = home.file("layout")
        _ = try await client.pull(try ref(repo, "v1"), to: layout)
        let host = RegistryTestBed.basic!.address
        #expect(originFiles(client) == ["registries/\(host)"], "one record for the registry, none per blob")
        let record = "\(client.cache.root)/origins/registries/\(host)"
        let lines = try String(contentsOfFile: record, encoding: .utf8).split(separator: "\n")
        #expect(Set(lines).count == 6 && lines.count == 6, "5 layers and the config: \(lines)")
        #expect(seeded.layers["linux/amd64"]!.allSatisfy { lines.contains("\($0) \(repo)") }, "\(lines)")

        // Pulling again (every blob cached) adds no line.
        _ = try await client.pull(try ref(repo, "v1"), to: home.file("again"))
        #expect(try String(contentsOfFile: record, encoding: .utf8).split(separator: "\n") == lines)

        let pushed = try await client.push(layout: layout, to: try ref(RegistryTestBed.unique("origins/dst"), "v1"))
        #expect(pushed.mounted == 6 && pushed.uploaded == 0, "\(pushed)")
    }

    @Test func originFilesPerBlobFromEarlierVersionsStillMount() async throws {
        let repo = RegistryTestBed.unique("origins/old")
        _ = try RegistryTestBed.seed(repo: repo, tag: "v1", layers: 3)
        let client = try RegistryTestBed.client(home: home)
        let layout = home.file("layout")
        _ = try await client.pull(try ref(repo, "v1"), to: layout)
        // The cache as an earlier version left it: `origins/<hex>` for each blob, a line `<registry> <repository>`.
        let origins = "\(client.cache.root)/origins"
        try FileManager.default.removeItem(atPath: origins)
        try FileManager.default.createDirectory(atPath: origins, withIntermediateDirectories: true)
        for hex in try FileManager.default.contentsOfDirectory(atPath: "\(layout)/blobs/sha256") {
            try "\(RegistryTestBed.basic!.address) \(repo)\n".write(
                toFile: "\(origins)/\(hex)", atomically: false, encoding: .utf8)
        }
        let pushed = try await client.push(layout: layout, to: try ref(RegistryTestBed.unique("origins/dst"), "v1"))
        #expect(pushed.mounted == 4 && pushed.uploaded == 0, "\(pushed)")
    }
}

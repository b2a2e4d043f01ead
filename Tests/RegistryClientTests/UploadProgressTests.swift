import AuthCore
import Foundation
import RegistryVocabulary
import Synchronization
import Testing

@testable import RegistryClient

/// Records every progress call, in order.
final class RecordingProgress: ProgressReporter {
    enum Event: Equatable {
        case started(String, Int64?)
        case advanced(String, Int64)
        case finished(String, Bool)
    }

    let events = Mutex<[Event]>([])
    func started(_ label: String, total: Int64?) { events.withLock { $0.append(.started(label, total)) } }
    func advanced(_ label: String, by bytes: Int64) { events.withLock { $0.append(.advanced(label, bytes)) } }
    func finished(_ label: String, cached: Bool) { events.withLock { $0.append(.finished(label, cached)) } }

    /// The byte steps reported for `label` before it finished, and the running totals after each.
    func steps(_ label: String) -> (steps: [Int64], totals: [Int64]) {
        var steps: [Int64] = []
        var totals: [Int64] = []
        for event in events.withLock({ $0 }) {
            if case .advanced(label, let bytes) = event {
                steps.append(bytes)
                totals.append((totals.last ?? 0) + bytes)
            }
            if case .finished(label, _) = event { break }
        }
        return (steps, totals)
    }
}

/// Push progress follows the bytes libcurl sends, rather than jumping when a request ends.
@Suite(.enabled(if: RegistryTestBed.available, "needs scripts/test.sh's registry and fault proxy"))
struct UploadProgressTests {
    let home = TemporaryDirectory()

    @Test func aSinglePutReportsBytesWhileItIsSent() async throws {
        let repo = RegistryTestBed.unique("progress/src")
        let seeded = try RegistryTestBed.seed(repo: repo, tag: "v1", layerMiB: 8, layers: 1)
        let client = try RegistryTestBed.client(home: home)
        let layout = home.file("layout")
        let source = try ImageReference.parse("\(RegistryTestBed.basic!.address)/\(repo):v1")
        let image = try await client.pull(source, to: layout)
        #expect(image.descriptor.digest.description == seeded.digest)
        let layer = try #require(try await client.getImageManifest(source).layers.first)
        let label = String(layer.digest.dropFirst(7).prefix(12))
        let progress = RecordingProgress()
        // Through the proxy, a registry name the cache has no record of, so the blob is sent rather than mounted.
        let proxy = try #require(RegistryTestBed.proxy)
        let target = try ImageReference.parse("\(proxy)/\(RegistryTestBed.unique("progress/dst")):v1")
        _ = try await client.push(layout: layout, to: target, progress: progress)
        let (steps, totals) = progress.steps(label)
        #expect(steps.count >= 8, "an 8 MiB PUT reported in \(steps.count) steps")
        #expect(steps.allSatisfy { $0 > 0 && $0 <= 1 << 20 }, "\(steps)")
        #expect(totals.last == layer.size)
    }

    @Test func retriedChunksNeverCountTwice() async throws {
        let repo = RegistryTestBed.unique("progress/chunks")
        let proxy = try #require(RegistryTestBed.proxy)
        _ = try RegistryTestBed.seed(repo: repo, tag: "v1", layerMiB: 2, layers: 1)
        let client = try RegistryTestBed.client(home: home)
        let layout = home.file("chunks")
        let source = try ImageReference.parse("\(RegistryTestBed.basic!.address)/\(repo):v1")
        _ = try await client.pull(source, to: layout)
        let layer = try #require(try await client.getImageManifest(source).layers.first)
        let label = String(layer.digest.dropFirst(7).prefix(12))
        let target = RegistryTestBed.unique("progress/chunks-dst")
        try RegistryTestBed.faults(
            """
            [{"match": "/\(target)/blobs/uploads/", "method": "PATCH", "count": 1, "status": 503},
             {"match": "/\(target)/blobs/uploads/", "method": "PATCH", "count": 1, "forward_then_status": 502}]
            """)
        var options = client.options
        options.monolithicUploadLimit = 256 << 10
        options.uploadChunkSize = 512 << 10
        options.config = client.config
        let chunked = try RegistryClient(options: options)
        let progress = RecordingProgress()
        _ = try await chunked.push(
            layout: layout, to: try ImageReference.parse("\(proxy)/\(target):v1"), progress: progress)
        let (_, totals) = progress.steps(label)
        #expect(totals.allSatisfy { (0...layer.size).contains($0) }, "\(totals)")
        #expect(totals.last == layer.size)
    }
}

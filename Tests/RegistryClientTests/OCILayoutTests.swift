import Foundation
import OSSBTestSupport
import RegistryVocabulary
import Testing

@testable import RegistryClient

@Suite struct OCILayoutTests {
    let dir = NSTemporaryDirectory() + "/ossb-layout-\(UUID().uuidString)"

    static func descriptor(_ n: Int, name: String?) -> Descriptor {
        Descriptor(
            mediaType: MediaType.ociManifest, digest: "sha256:" + String(repeating: "\(n)", count: 64), size: 10,
            annotations: name.map { [OCILayout.refNameAnnotation: $0] })
    }

    @Test func writesTheConventionalFilesAndReadsThemBack() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let layout = OCILayout(path: dir)
        try layout.create()
        #expect(try String(contentsOfFile: dir + "/oci-layout", encoding: .utf8) == #"{"imageLayoutVersion":"1.0.0"}"#)
        let digest = try Digest("sha256:" + String(repeating: "a", count: 64))
        try layout.writeBlob(Array("hello".utf8), digest: digest)
        #expect(layout.hasBlob(digest))
        #expect(try layout.readBlob(digest) == Array("hello".utf8))
        try layout.writeIndex([Self.descriptor(1, name: "v1")])
        let index = try layout.readIndex()
        #expect(index.manifests.count == 1)
        #expect(index.mediaType == MediaType.ociIndex)
        #expect(try layout.descriptor(named: nil).digest.hasSuffix("1"))
        #expect(try layout.descriptor(named: "v1").annotations?[OCILayout.refNameAnnotation] == "v1")
    }

    @Test func namesChooseAmongSeveralImages() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let layout = OCILayout(path: dir)
        try layout.create()
        try layout.writeIndex([Self.descriptor(1, name: "a"), Self.descriptor(2, name: "b")])
        #expect(try layout.descriptor(named: "b").digest.hasSuffix("2"))
        do {
            _ = try layout.descriptor(named: nil)
            Issue.record("expected ambiguity")
        } catch {
            #expect("\(error)".contains("holds several images; choose one as \(dir):NAME (names: a, b)"))
        }
        #expect(throws: LayoutError.self) { try layout.descriptor(named: "c") }
    }

    @Test func readsALayoutMadeByTheTestImageScript() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = "\(SourceTree.root)/scripts/testbed/make-test-image.sh"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = [dir, "v9"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let layout = OCILayout(path: dir)
        let descriptor = try layout.descriptor(named: "v9")
        let manifest = try ManifestDocument(bytes: layout.readBlob(try descriptor.parsedDigest()))
        guard case .image(let image) = manifest.content else {
            Issue.record("not an image")
            return
        }
        #expect(image.layers.count == 1)
        #expect(layout.hasBlob(try image.layers[0].parsedDigest()))
    }

    @Test func notALayout() {
        #expect(throws: LayoutError.notALayout(dir)) { try OCILayout(path: dir).readIndex() }
        #expect(
            "\(LayoutError.notALayout(dir))".hasSuffix(
                "; name a directory written by ossb-registry pull --output or skopeo's oci:DIR"))
    }

    @Test func malformedIndexSaysWhatToDo() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try OCILayout(path: dir).create()
        try Data(#"{"not":"index"}"#.utf8).write(to: URL(fileURLWithPath: dir + "/index.json"))
        #expect(
            throws: LayoutError.malformed(
                "\(dir)/index.json is not a valid image index; it was left as it is: repair or move it, or use another directory"
            )
        ) { try OCILayout(path: dir).readIndex() }
    }

    /// A directory holding an `index.json` that is not an image index is refused before anything is written
    /// into it: no `oci-layout`, no `blobs/` beside the user's file.
    @Test func createRefusesAMalformedIndexAndWritesNothing() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("not json".utf8).write(to: URL(fileURLWithPath: dir + "/index.json"))
        #expect(throws: LayoutError.self) { try OCILayout(path: dir).create() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["index.json"])
    }

    /// An `index.json` that is there but cannot be read is reported as that, not as "not a layout" (which sent
    /// the user looking for a missing file), both when pushing and when a pull adds to the layout.
    @Test func unreadableIndexIsNamedWithItsReason() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let layout = OCILayout(path: dir)
        try layout.create()
        try FileManager.default.createDirectory(atPath: dir + "/index.json", withIntermediateDirectories: false)
        for attempt in [{ _ = try layout.readIndex() }, { try layout.add(Self.descriptor(1, name: "v1")) }] {
            do {
                try attempt()
                Issue.record("expected an error")
            } catch {
                #expect(
                    "\(error)"
                        == "\(dir)/index.json is not a regular file (it is a directory); move it away"
                )
            }
        }
    }
}

import Testing

@testable import RegistryClient

@Suite struct ManifestDocumentTests {
    static let d1 = "sha256:" + String(repeating: "1", count: 64)
    static let d2 = "sha256:" + String(repeating: "2", count: 64)

    @Test func parsesOCIManifestKeepingBytes() throws {
        let text =
            #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(Self.d1)","size":7},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"\#(Self.d2)","size":100}]}"#
        let doc = try ManifestDocument(bytes: Array(text.utf8))
        #expect(doc.bytes == Array(text.utf8))
        guard case .image(let manifest) = doc.content else {
            Issue.record("not an image")
            return
        }
        #expect(manifest.layers.count == 1)
        #expect(manifest.totalSize == 107)
        #expect(manifest.config.digest == Self.d1)
    }

    @Test func mediaTypeFromHeaderOrShape() throws {
        let noType = #"{"schemaVersion":2,"config":{"mediaType":"x","digest":"\#(Self.d1)","size":1},"layers":[]}"#
        #expect(try ManifestDocument(bytes: Array(noType.utf8)).mediaType == MediaType.ociManifest)
        #expect(
            try ManifestDocument(bytes: Array(noType.utf8), contentType: MediaType.dockerManifest + "; charset=utf-8")
                .mediaType == MediaType.dockerManifest)
        let index =
            #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(Self.d1)","size":1,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}}]}"#
        let doc = try ManifestDocument(bytes: Array(index.utf8))
        guard case .index(let parsed) = doc.content else {
            Issue.record("not an index")
            return
        }
        #expect(parsed.platforms == [Platform(os: "linux", architecture: "arm64", variant: "v8")])
    }

    @Test func rejectsSchema1AndUnknownTypes() {
        #expect(throws: ManifestError.self) {
            try ManifestDocument(bytes: Array(#"{"schemaVersion":1,"name":"x","fsLayers":[]}"#.utf8))
        }
        do {
            _ = try ManifestDocument(
                bytes: Array(#"{"schemaVersion":2,"mediaType":"application/vnd.example+json"}"#.utf8))
            Issue.record("accepted an unknown type")
        } catch {
            #expect("\(error)".contains("unsupported manifest media type application/vnd.example+json"))
        }
        #expect(throws: ManifestError.self) { try ManifestDocument(bytes: Array("not json".utf8)) }
        #expect(throws: ManifestError.self) {
            try ManifestDocument(
                bytes: Array(
                    #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}"#.utf8))
        }
    }
}

@Suite struct PlatformSelectorTests {
    static func descriptor(_ n: Int, _ platform: Platform?, attestation: Bool = false) -> Descriptor {
        Descriptor(
            mediaType: MediaType.ociManifest, digest: "sha256:" + String(repeating: "\(n)", count: 64), size: 1,
            annotations: attestation ? ["vnd.docker.reference.type": "attestation-manifest"] : nil, platform: platform)
    }

    static let index = ImageIndex(
        mediaType: MediaType.ociIndex,
        manifests: [
            descriptor(1, Platform(os: "linux", architecture: "amd64")),
            descriptor(2, Platform(os: "linux", architecture: "arm64", variant: "v8")),
            descriptor(3, Platform(os: "linux", architecture: "arm", variant: "v6")),
            descriptor(4, Platform(os: "linux", architecture: "arm", variant: "v7")),
            descriptor(5, Platform(os: "unknown", architecture: "unknown"), attestation: true),
            descriptor(6, Platform(os: "windows", architecture: "amd64", osVersion: "10.0.17763.1234")),
        ])

    func pick(_ p: Platform) throws -> Int {
        Int(String(try PlatformSelector.select(p, from: Self.index, reference: "r/x").digest.last!))!
    }

    @Test func selectsByOsArchAndVariant() throws {
        #expect(try pick(Platform(os: "linux", architecture: "amd64")) == 1)
        #expect(try pick(Platform(os: "linux", architecture: "x86_64")) == 1)
        #expect(try pick(Platform(os: "linux", architecture: "arm64")) == 2)
        #expect(try pick(Platform(os: "linux", architecture: "aarch64", variant: "v8")) == 2)
        #expect(try pick(Platform(os: "linux", architecture: "arm", variant: "v7")) == 4)
        #expect(try pick(Platform(os: "linux", architecture: "arm")) == 4, "arm's default variant is v7")
        #expect(try pick(Platform(os: "linux", architecture: "arm", variant: "v6")) == 3)
        #expect(try pick(Platform(os: "windows", architecture: "amd64", osVersion: "10.0.17763.5000")) == 6)
    }

    @Test func armFallsBackToALowerVariantOnly() throws {
        let onlyV6 = ImageIndex(
            mediaType: MediaType.ociIndex,
            manifests: [Self.descriptor(3, Platform(os: "linux", architecture: "arm", variant: "v6"))])
        #expect(
            try PlatformSelector.select(
                Platform(os: "linux", architecture: "arm", variant: "v7"), from: onlyV6, reference: "r"
            ).digest.hasSuffix("3"))
        let onlyV7 = ImageIndex(
            mediaType: MediaType.ociIndex,
            manifests: [Self.descriptor(4, Platform(os: "linux", architecture: "arm", variant: "v7"))])
        #expect(throws: PlatformError.self) {
            try PlatformSelector.select(
                Platform(os: "linux", architecture: "arm", variant: "v6"), from: onlyV7, reference: "r")
        }
    }

    @Test func missingPlatformIsLinuxAmd64AndAttestationsAreNeverChosen() throws {
        let bare = ImageIndex(
            mediaType: MediaType.ociIndex,
            manifests: [Self.descriptor(5, nil, attestation: true), Self.descriptor(7, nil)])
        #expect(
            try PlatformSelector.select(Platform(os: "linux", architecture: "amd64"), from: bare, reference: "r").digest
                .hasSuffix("7"))
    }

    @Test func noMatchListsAvailablePlatforms() {
        do {
            _ = try pick(Platform(os: "linux", architecture: "s390x"))
            Issue.record("expected no match")
        } catch {
            #expect(
                "\(error)"
                    == "r/x has no image for linux/s390x; available platforms: linux/amd64, linux/arm64/v8, linux/arm/v6, linux/arm/v7, windows/amd64 (choose one with --platform)"
            )
        }
    }

    @Test func parsesPlatformArguments() throws {
        #expect(try Platform.parse("linux/arm/v7") == Platform(os: "linux", architecture: "arm", variant: "v7"))
        #expect(throws: PlatformError.self) { try Platform.parse("linux") }
        #expect(throws: PlatformError.self) { try Platform.parse("linux//v7") }
    }
}

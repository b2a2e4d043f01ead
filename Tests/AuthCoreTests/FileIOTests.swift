import AuthCore
import Glibc
import OSSBTestSupport
import Testing

/// The one directory lister and the one read loop every module uses (the cache, certs.d, mounted secrets, the
/// credentials file).
@Suite struct FileIOTests {
    let dir = TemporaryDirectory()

    @Test func listsNamesSortedWithoutDotEntries() throws {
        for name in ["b", "a", ".hidden", "..data"] { try dir.write(name, "x") }
        #expect(mkdir(dir.file("c"), 0o700) == 0)
        #expect(try FileIO.directoryEntries(dir.path) == ["..data", ".hidden", "a", "b", "c"])
    }

    @Test func aMissingDirectoryIsNilAndAFileIsAnError() throws {
        #expect(try FileIO.directoryEntries(dir.file("missing")) == nil)
        try dir.write("plain", "x")
        #expect(throws: SystemError.self) { try FileIO.directoryEntries(dir.file("plain")) }
    }

    @Test func readsEveryChunkToTheEnd() throws {
        let text = String(repeating: "0123456789", count: 1000)
        try dir.write("big", text)
        let fd = open(dir.file("big"), O_RDONLY)
        defer { close(fd) }
        var chunks = 0
        var bytes: [UInt8] = []
        try FileIO.forEachChunk(fd: fd, path: dir.file("big"), chunkSize: 4096) { chunk in
            chunks += 1
            bytes.append(contentsOf: chunk)
        }
        #expect(chunks == 3)
        #expect(String(decoding: bytes, as: UTF8.self) == text)
    }

    @Test func readAllStopsPastItsLimit() throws {
        try dir.write("big", String(repeating: "x", count: 200_000))
        let fd = open(dir.file("big"), O_RDONLY)
        defer { close(fd) }
        #expect(throws: FileTooLarge.self) { try FileIO.readAll(fd: fd, path: dir.file("big"), limit: 100_000) }
    }
}

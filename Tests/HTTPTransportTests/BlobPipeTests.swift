import AuthCore
import Foundation
import HTTPTransport
import OSSBTestSupport
import Testing

/// A `BlobPipe` between a download and an upload of ONE `CurlHTTPClient` (one loop thread) against the HTTP
/// test server: a tiny buffer makes both sides pause and resume each other thousands of times, which would hang
/// if either side blocked the loop thread; wrong or short content must never complete the upload.
@Suite(.enabled(if: TestServers.http != nil, "needs scripts/test.sh's HTTP test server (OSSB_TEST_HTTP_SERVER)"))
struct BlobPipeTests {
    let client = CurlHTTPClient()
    var server: String { TestServers.http!.main }

    func url(_ path: String) -> URL { URL(string: "http://\(server)\(path)")! }

    /// `/bytes?n=N`'s content: byte i is i % 251.
    static func content(_ n: Int) -> [UInt8] { (0..<n).map { UInt8($0 % 251) } }

    /// Runs the GET of `/bytes?n=served` into the pipe and the PUT to `/upload` out of it at once, as copy does.
    /// - Returns: the upload's answer, or the error the PUT ended with.
    func stream(served: Int, through pipe: BlobPipe) async -> Result<HTTPResponse, any Error> {
        async let download: Void = {
            do {
                _ = try await client.send(HTTPRequest(url: url("/bytes?n=\(served)")), sink: pipe.sink)
                pipe.sourceEnded()
            } catch { pipe.fail(error) }
        }()
        let upload: Result<HTTPResponse, any Error>
        do {
            upload = .success(
                try await client.send(HTTPRequest(method: .put, url: url("/upload"), body: .source(pipe.body))))
        } catch {
            pipe.fail(error)
            upload = .failure(error)
        }
        await download
        return upload
    }

    @Test(arguments: [4096, 1 << 20])
    func carriesABlobThroughASmallBufferOnOneLoop(capacity: Int) async throws {
        let size = 8 << 20
        let digest = SHA256Digest.digest(Self.content(size))
        let pipe = BlobPipe(digest: digest, size: Int64(size), capacity: capacity)
        let response = try await stream(served: size, through: pipe).get()
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(answer["length"] as? Int == size)
        #expect("sha256:\(answer["sha256"] as? String ?? "")" == digest)
        #expect(answer["chunked"] as? Bool == false, "the upload has Content-Length: the descriptor's size")
        #expect(pipe.verified && pipe.sent == Int64(size))
    }

    @Test func contentThatDoesNotHashToTheDigestNeverCompletesTheUpload() async throws {
        let size = 3 << 20
        var other = Self.content(size)
        other[size - 1] ^= 1
        let pipe = BlobPipe(digest: SHA256Digest.digest(other), size: Int64(size), capacity: 64 << 10)
        let result = await stream(served: size, through: pipe)
        guard case .failure(let error) = result else {
            Issue.record("the upload completed with content of another digest")
            return
        }
        guard case .digestMismatch = try #require(error as? BlobPipeError) else {
            Issue.record("unexpected error: \(error)")
            return
        }
        #expect(pipe.sent < Int64(size), "the last bytes were held back")
    }

    @Test(arguments: [(served: 100_000, declared: 200_000), (served: 200_000, declared: 100_000)])
    func aBodyOfAnotherLengthNeverCompletesTheUpload(served: Int, declared: Int) async throws {
        let pipe = BlobPipe(
            digest: SHA256Digest.digest(Self.content(declared)), size: Int64(declared), capacity: 16 << 10)
        let result = await stream(served: served, through: pipe)
        guard case .failure(let error) = result else {
            Issue.record("the upload completed with \(served) bytes for a \(declared)-byte blob")
            return
        }
        let expected: BlobPipeError =
            served < declared
            ? .short(received: Int64(served), expected: Int64(declared)) : .tooLong(limit: Int64(declared))
        #expect(error as? BlobPipeError == expected, "\(error)")
        #expect(pipe.sent < Int64(declared))
    }
}

import AuthCore
import Foundation
import HTTPTransport
import OSSBTestSupport
import Synchronization
import Testing

/// The libcurl transport against the project's HTTP test server: streaming both ways, raw bytes, connection
/// reuse, status handling.
@Suite(.enabled(if: TestServers.http != nil, "needs scripts/test.sh's HTTP test server (OSSB_TEST_HTTP_SERVER)"))
struct CurlHTTPClientTests {
    let client = CurlHTTPClient()
    var server: String { TestServers.http!.main }

    func url(_ path: String) -> URL { URL(string: "http://\(server)\(path)")! }

    func json(_ response: HTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    @Test func sendsHeadersAndNoAcceptEncodingOrExpect() async throws {
        var headers = HTTPHeaders()
        headers.add("X-Ossb-Test", "one")
        let response = try await client.send(HTTPRequest(url: url("/echo"), headers: headers))
        #expect(response.status == 200)
        let echoed = try json(response)["headers"] as? [String: String]
        #expect(echoed?["x-ossb-test"] == "one")
        #expect(echoed?["accept-encoding"] == nil, "libcurl must not ask for compressed bodies")
        #expect(echoed?["user-agent"]?.hasPrefix("ossb-registry/") == true)
    }

    @Test func gzipBodyArrivesUndecoded() async throws {
        let response = try await client.send(HTTPRequest(url: url("/gzip")))
        #expect(response.headers["Content-Encoding"] == "gzip")
        #expect(Array(response.body.prefix(2)) == [0x1f, 0x8b], "the body must be the raw gzip bytes")
    }

    @Test func streamsALargeBodyToAFileWithItsDigest() async throws {
        let dir = TemporaryDirectory()
        let size = 20 << 20
        let sink = try FileSink(path: dir.file("blob"))
        let response = try await client.send(HTTPRequest(url: url("/bytes?n=\(size)")), sink: sink)
        let digest = try sink.finish()
        #expect(response.status == 200)
        #expect(response.body.isEmpty, "a streamed body must not also be buffered")
        #expect(response.streamedBytes == Int64(size))
        let expected = SHA256Digest.digest((0..<size).map { UInt8($0 % 251) })
        #expect(digest == expected)
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.file("blob"))
        #expect((attributes[.size] as? Int) == size)
    }

    @Test func errorBodiesNeverReachTheSink() async throws {
        let sink = DigestSink()
        let response = try await client.send(HTTPRequest(url: url("/status?code=404&error=BLOB_UNKNOWN")), sink: sink)
        #expect(response.status == 404)
        #expect(sink.count == 0)
        #expect(response.text.contains("BLOB_UNKNOWN"))
    }

    @Test func uploadsAFileWithContentLength() async throws {
        let dir = TemporaryDirectory()
        let bytes = (0..<(3 << 20)).map { UInt8(($0 * 7) % 256) }
        try Data(bytes).write(to: URL(fileURLWithPath: dir.file("upload")))
        let request = HTTPRequest(
            method: .put, url: url("/upload"), body: .source(try FileBodySource(path: dir.file("upload"))))
        let answer = try json(try await client.send(request))
        #expect(answer["length"] as? Int == bytes.count)
        #expect(answer["chunked"] as? Bool == false)
        #expect("sha256:" + (answer["sha256"] as? String ?? "") == SHA256Digest.digest(bytes))
    }

    @Test func uploadsASequenceOfUnknownLengthChunked() async throws {
        let chunks = (0..<40).map { i in [UInt8](repeating: UInt8(i), count: 100_000) }
        let request = HTTPRequest(method: .patch, url: url("/upload"), body: .source(SequenceBodySource(chunks)))
        let answer = try json(try await client.send(request))
        #expect(answer["length"] as? Int == 4_000_000)
        #expect(answer["chunked"] as? Bool == true)
        #expect(answer["method"] as? String == "PATCH")
        #expect("sha256:" + (answer["sha256"] as? String ?? "") == SHA256Digest.digest(chunks.flatMap { $0 }))
    }

    @Test func postWithoutBodySendsContentLengthZero() async throws {
        let answer = try json(try await client.send(HTTPRequest(method: .post, url: url("/upload"))))
        #expect(answer["length"] as? Int == 0)
        #expect(answer["method"] as? String == "POST")
    }

    @Test func reusesTheConnectionForTheSameHost() async throws {
        let first = try await client.send(HTTPRequest(url: url("/echo")))
        let second = try await client.send(HTTPRequest(url: url("/echo")))
        #expect(second.reusedConnection == true)
        // The server saw both requests come from the same client port: one TCP connection.
        #expect(try json(first)["peer"] as? String == json(second)["peer"] as? String)
    }

    @Test func doesNotFollowRedirectsItself() async throws {
        let response = try await client.send(HTTPRequest(url: url("/redirect?to=/echo&status=307")))
        #expect(response.status == 307)
        #expect(response.headers["Location"] == "/echo")
    }

    @Test func refusedConnectionIsAConnectionError() async throws {
        // Port 1 on loopback: nothing listens there.
        await #expect(throws: HTTPClientError.self) {
            try await client.send(HTTPRequest(url: URL(string: "http://127.0.0.1:1/v2/")!))
        }
        do {
            _ = try await client.send(HTTPRequest(url: URL(string: "http://127.0.0.1:1/v2/")!))
        } catch let error as HTTPClientError {
            #expect(error.kind == .connection)
            #expect(error.isRetryable)
        }
    }

    @Test func cancellationAbortsATransfer() async throws {
        // The cancel is issued from the sink once bytes flow, not after a sleep in the test: on a loaded machine
        // the test's own task may wake only after a fast transfer has finished. 20 GB cannot finish in the time
        // a working cancellation takes.
        let total = 20_000_000_000
        let received = Atomic<Int>(0)
        let running = Mutex<Task<HTTPResponse, any Error>?>(nil)
        let sink = ClosureBodySink { chunk in
            if received.add(chunk.count, ordering: .relaxed).newValue > 1_000_000 {
                running.withLock { $0?.cancel() }
            }
        }
        let task = Task {
            try await client.send(HTTPRequest(url: url("/bytes?n=\(total)")), sink: sink)
        }
        running.withLock { $0 = task }
        await #expect(throws: HTTPClientError.self) { try await task.value }
        #expect(received.load(ordering: .relaxed) < total, "it stopped before the end")
    }

    /// All transfers of a client run on one libcurl multi loop: twelve endless downloads in flight at once
    /// deliver their bytes on one and the same thread (a thread per transfer delivered them on twelve, each
    /// with its stack and malloc arena). They are cancelled once every one has received bytes.
    @Test func concurrentTransfersShareOneThread() async throws {
        let count = 12
        let threads = Mutex<[Int: UInt]>([:])
        let tasks = Mutex<[Task<HTTPResponse, any Error>]>([])
        for i in 0..<count {
            let sink = ClosureBodySink { _ in
                let all = threads.withLock { seen -> Bool in
                    if seen[i] == nil { seen[i] = UInt(pthread_self()) }
                    return seen.count == count
                }
                if all { tasks.withLock { for task in $0 { task.cancel() } } }
            }
            let task = Task { try await client.send(HTTPRequest(url: url("/bytes?n=20000000000")), sink: sink) }
            tasks.withLock { $0.append(task) }
        }
        if threads.withLock({ $0.count == count }) { tasks.withLock { for task in $0 { task.cancel() } } }
        for task in tasks.withLock({ $0 }) { _ = try? await task.value }
        let seen = threads.withLock { $0 }
        #expect(seen.count == count, "every transfer received bytes")
        #expect(Set(seen.values).count == 1, "\(Set(seen.values).count) threads delivered the bodies")
    }

    @Test func bufferedBodiesAreLimited() async throws {
        let request = HTTPRequest(url: url("/bytes?n=100000"), maximumBufferedBody: 1000)
        await #expect(throws: HTTPClientError.self) { try await client.send(request) }
    }
}

extension CurlHTTPClientTests {
    @Test func aHeaderValueWithCRLFIsRefusedNotSent() async throws {
        var headers = HTTPHeaders()
        headers.add("Authorization", "Bearer abc\r\nX-Injected: yes")
        do {
            let response = try await client.send(HTTPRequest(url: url("/echo"), headers: headers))
            let echoed = try json(response)["headers"] as? [String: String]
            Issue.record("the request was sent; the server saw x-injected: \(echoed?["x-injected"] ?? "nothing")")
        } catch {
            #expect("\(error)".contains("Authorization"), "\(error)")
            #expect(!"\(error)".contains("abc"), "the value may be a credential: \(error)")
        }
    }
}

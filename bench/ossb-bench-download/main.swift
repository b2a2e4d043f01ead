// Downloads one registry blob with the libcurl transport, writing it to a file while hashing it, as the pull
// path does; prints the digest and the byte count. Used by bench/http-download.sh beside curl.
// Usage: ossb-bench-download URL OUTPUT   (Basic credentials from OSSB_BENCH_USER / OSSB_BENCH_PASSWORD;
// OSSB_BENCH_NO_SYNC=1 skips the final fsync, which curl does not do either)
import AuthCore
import FoundationEssentials
import Glibc
import HTTPTransport

func fail(_ message: String, status: Int32) -> Never {
    let bytes = Array((message + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(status)
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let url = URL(string: arguments[1]), let origin = HTTPOrigin(url) else {
    fail("usage: ossb-bench-download URL OUTPUT", status: 2)
}
let environment = Environment.current
let credentials = environment["OSSB_BENCH_USER"].map {
    Credentials(username: $0, password: environment["OSSB_BENCH_PASSWORD"] ?? "")
}
let auth = RegistryAuthenticator(
    registry: origin, credentials: credentials, client: CurlHTTPClient(), allowPlainHTTP: origin.isLoopback)
do {
    let sink = try FileSink(path: arguments[2], synchronize: environment["OSSB_BENCH_NO_SYNC"] == nil)
    let response = try await auth.send(HTTPRequest(url: url), sink: sink)
    guard response.isSuccess else {
        sink.discard()
        fail("ossb-bench-download: HTTP \(response.status)", status: 1)
    }
    print("\(try sink.finish()) \(sink.count)")
} catch {
    fail("ossb-bench-download: \(error)", status: 1)
}

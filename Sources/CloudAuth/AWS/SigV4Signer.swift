import AuthCore
import FoundationEssentials
import Glibc

/// AWS Signature Version 4 for the few requests the helpers sign: the ECR helper's `GetAuthorizationToken` and STS
/// `AssumeRole` (a POST to `/` with no query), and the STS `GetCallerIdentity` request (its parameters in the query)
/// that Google's workload identity federation takes as an AWS subject token. Every header the request carries is signed, `host` and `x-amz-date` (and the
/// session token) added here. The hashes and HMACs are libcrypto's.
package struct SigV4Signer: Sendable {
    /// The credentials that sign.
    package var credentials: AWSCredentials
    /// The region in the credential scope (`us-east-1`).
    package var region: String
    /// The service in the credential scope (`ecr`, `ecr-public`, `sts`).
    package var service: String

    /// Creates a signer.
    package init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Adds `Host`, `X-Amz-Date`, `X-Amz-Security-Token` (for temporary credentials) and `Authorization` to a
    /// request whose body is in memory.
    /// - Parameters:
    ///   - request: the request; its body must be `.bytes` or `.none`.
    ///   - now: seconds since the epoch.
    package func sign(_ request: inout HTTPRequest, now: Int64) {
        let (amzDate, day) = Self.timestamps(now)
        request.headers["Host"] = Self.hostHeader(request.url)
        request.headers["X-Amz-Date"] = amzDate
        if let token = credentials.sessionToken { request.headers["X-Amz-Security-Token"] = token }
        let payload: [UInt8]
        if case .bytes(let bytes) = request.body { payload = bytes } else { payload = [] }

        // Canonical headers: names lower-cased and sorted, values trimmed, inner runs of spaces folded.
        var folded: [String: String] = [:]
        for field in request.headers {
            let name = field.name.lowercased()
            let value = field.value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            folded[name] = folded[name].map { "\($0),\(value)" } ?? value
        }
        let names = folded.keys.sorted()
        let signedHeaders = names.joined(separator: ";")
        let canonicalHeaders = names.map { "\($0):\(folded[$0]!)\n" }.joined()
        let path = request.url.path.isEmpty ? "/" : request.url.path
        let query = Self.canonicalQuery(request.url.query ?? "")
        let canonicalRequest = [
            request.method.rawValue, path, query, canonicalHeaders, signedHeaders,
            CloudCrypto.hex(CloudCrypto.sha256(payload)),
        ].joined(separator: "\n")

        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, CloudCrypto.hex(CloudCrypto.sha256(Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        var key = CloudCrypto.hmacSHA256(key: Array("AWS4\(credentials.secretAccessKey)".utf8), Array(day.utf8))
        for part in [region, service, "aws4_request"] { key = CloudCrypto.hmacSHA256(key: key, Array(part.utf8)) }
        let signature = CloudCrypto.hex(CloudCrypto.hmacSHA256(key: key, Array(stringToSign.utf8)))
        request.headers["Authorization"] =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// The query as SigV4 signs it: each name and value percent-encoded with only RFC 3986's unreserved characters
    /// left as they are, the pairs sorted by name, then value.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = FormEncoding.decode(query).map { (FormEncoding.escape($0.0), FormEncoding.escape($0.1)) }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(
            separator: "&")
    }

    /// The `Host` header as the transport sends it: the port only when it is not the scheme's default.
    static func hostHeader(_ url: URL) -> String {
        let host = url.host ?? ""
        guard let port = url.port else { return host }
        let defaultPort = url.scheme == "https" ? 443 : 80
        return port == defaultPort ? host : "\(host):\(port)"
    }

    /// `20261130T170405Z` and `20261130` for a moment.
    static func timestamps(_ now: Int64) -> (String, String) {
        var seconds = time_t(now)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let day = "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))"
        return ("\(day)T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z", day)
    }
}

import AuthCore
import FoundationEssentials

/// The HTTP exchanges the cloud providers share: sending to token endpoints and metadata services with errors
/// that name the cloud and the endpoint, the plain-http policy, and reading OAuth2 token answers.
package struct CloudHTTP: Sendable {
    /// The cloud, for messages.
    package let cloud: String
    /// The context whose HTTP client and clock are used.
    package let context: CloudContext

    /// Creates a helper for one provider's walk.
    package init(cloud: String, context: CloudContext) {
        self.cloud = cloud
        self.context = context
    }

    /// Parses an endpoint URL that will receive a secret: https, or plain http only on loopback (test stand-ins,
    /// local emulators), as the registry client allows for registries.
    /// - Parameters:
    ///   - text: the URL.
    ///   - what: what names it, for the error (`the token_uri of /path/key.json`).
    package func secureURL(_ text: String, _ what: String) throws(CloudAuthError) -> URL {
        guard let url = URL(string: text), let origin = HTTPOrigin(url) else {
            throw CloudAuthError(
                cloud: cloud,
                "\(cloud): \(what) is not an http(s) URL (\"\(TerminalText.sanitized(text.prefix(200)))\"); correct it")
        }
        guard origin.scheme == "https" || origin.isLoopback else {
            throw CloudAuthError(
                cloud: cloud,
                "\(cloud): \(what) is \(origin), plain http to a host that is not loopback; credentials go only over https, so correct it to https"
            )
        }
        return url
    }

    /// Sends a request; a transport failure becomes one line naming the endpoint and `advice`.
    package func send(_ request: HTTPRequest, to what: String, advice: String) async throws(CloudAuthError)
        -> HTTPResponse
    {
        var request = request
        if request.timeout == nil { request.timeout = 30 }
        // A token answer is a few kilobytes: a server that sends more is not read into memory.
        request.maximumBufferedBody = min(request.maximumBufferedBody, Self.maximumAnswer)
        do {
            return try await context.http.send(request)
        } catch {
            throw CloudAuthError(
                cloud: cloud, "\(cloud): cannot reach \(what) at \(request.description) (\(error)); \(advice)")
        }
    }

    /// POSTs an `application/x-www-form-urlencoded` body (which carries a secret) and returns the response.
    package func postForm(
        _ url: URL, _ form: [(String, String)], headers: HTTPHeaders = HTTPHeaders(), to what: String, advice: String
    )
        async throws(CloudAuthError) -> HTTPResponse
    {
        var headers = headers
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Accept"] = "application/json"
        var request = HTTPRequest(
            method: .post, url: url, headers: headers, body: .bytes(Array(FormEncoding.encode(form).utf8)))
        request.bodyCarriesCredentials = true
        return try await send(request, to: what, advice: advice)
    }

    /// The JSON object of a 2xx answer, or an error naming `what`, the status, the server's own reason (OAuth2
    /// `error`/`error_description`, sanitised and shortened; servers do not echo secrets there) and `advice`.
    package func object(_ response: HTTPResponse, from what: String, advice: String) throws(CloudAuthError)
        -> JSONObject
    {
        guard response.isSuccess else {
            throw CloudAuthError(
                cloud: cloud, "\(cloud): \(what) answered \(response.status)\(Self.reason(response)); \(advice)")
        }
        guard let object = (try? JSONParser.parse(response.body))?.objectValue else {
            throw CloudAuthError(
                cloud: cloud,
                "\(cloud): \(what) answered with a body that is not a JSON object; check that the endpoint is the right one"
            )
        }
        return object
    }

    /// An access token and its expiry from an OAuth2 answer (`access_token`, `expires_in` as a number or a
    /// string, as Azure's metadata services send it), or an error naming `what`.
    package func accessToken(_ object: JSONObject, from what: String, tokenField: String = "access_token")
        throws(CloudAuthError) -> (token: String, expiresAt: Int64?)
    {
        guard let token = object[tokenField]?.stringValue, !token.isEmpty else {
            throw CloudAuthError(
                cloud: cloud,
                "\(cloud): \(what) answered without \(tokenField); check that the endpoint is the right one")
        }
        // A lifetime beyond any real token's is clamped (the token cache caps what it keeps anyway), so that a
        // server's absurd number can neither overflow the clock arithmetic nor keep a token for years.
        let expiresAt = Self.integer(object["expires_in"]).map {
            context.now() + min(max($0, -Self.longestLifetime), Self.longestLifetime)
        }
        return (token, expiresAt)
    }

    /// The largest answer read from a token endpoint or metadata service (1 MiB).
    static let maximumAnswer = 1 << 20

    /// Longer than any cloud's token lives (ECR's last 12 hours), short enough that adding it to a clock
    /// cannot overflow.
    static let longestLifetime: Int64 = 366 * 24 * 3600

    /// A JSON number or a string of digits as an integer (a fraction dropped); `nil` for anything else, a number
    /// beyond `Int64` among them (a hostile `1e300` must not trap).
    package static func integer(_ value: JSONValue?) -> Int64? {
        switch value {
        case .number(let text):
            return Int64(text) ?? Double(text).flatMap { Int64(exactly: $0.rounded(.towardZero)) }
        case .string(let text): return Int64(text)
        default: return nil
        }
    }

    /// ` (invalid_grant: the reason)` from an OAuth2 or Google error body, or "" when there is none.
    static func reason(_ response: HTTPResponse) -> String {
        guard let object = (try? JSONParser.parse(response.body))?.objectValue else { return "" }
        var parts: [String] = []
        if let error = object["error"]?.stringValue { parts.append(error) }
        if let message = object["error"]?.objectValue?["message"]?.stringValue { parts.append(message) }
        if let description = object["error_description"]?.stringValue { parts.append(description) }
        guard !parts.isEmpty else { return "" }
        let text = TerminalText.sanitized(parts.joined(separator: ": ").prefix(300))
        return " (\(text))"
    }
}

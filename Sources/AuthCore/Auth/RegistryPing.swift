/// `GET /v2/` on a registry's candidate origins (`RegistryEndpoint.candidates`) until one answers: how both
/// `login` (before it stores credentials) and the registry client (before its first request) find the origin to
/// use, with one timeout and one choice of which failure to report.
package enum RegistryPing {
    /// How long one origin may take to answer. A registry answers `/v2/` at once; a silent host fails in seconds
    /// rather than holding the user for a minute.
    package static let timeout: Double = 10

    /// The origin that answered and its answer.
    package struct Answer: Sendable {
        /// The origin that answered.
        package let origin: HTTPOrigin
        /// Its answer to `GET /v2/` (the body is at most 1 MiB and is not needed).
        package let response: HTTPResponse
        /// Whether the answer is a registry's: 200, or 401 asking for credentials.
        package var isRegistry: Bool { response.isSuccess || response.status == 401 }
    }

    /// Pings each candidate origin in order. An origin whose answer is not a registry's (a TLS port's 400 to
    /// plain http, a web server's 404) is passed over while another is left; the last one's answer is returned
    /// whatever it is, so the caller's request names the problem, unless an earlier origin failed outright: then
    /// that failure is the real problem (a TLS error says what to fix, a 400 from the wrong scheme does not).
    /// A timeout ends the ping: a host that stays silent on one scheme would keep every other waiting too.
    /// - Parameters:
    ///   - operation, registry: what the error names.
    ///   - explain: one line per origin tried; never a secret.
    /// - Throws: `RegistryError` (network) when no origin answers: the https origin's failure when there is one
    ///   (it names what to fix, such as a missing certs.d CA), else the first.
    package static func find(
        _ endpoint: RegistryEndpoint, client: any HTTPClient, operation: RegistryError.Operation, registry: String,
        explain: (@Sendable (String) -> Void)? = nil
    ) async throws -> Answer {
        var failures: [(origin: HTTPOrigin, error: HTTPClientError)] = []
        for (index, origin) in endpoint.candidates.enumerated() {
            let isLast = index + 1 == endpoint.candidates.count
            do {
                let response = try await client.send(
                    HTTPRequest(
                        url: RegistryEndpoint.url(origin, .base), maximumBufferedBody: 1 << 20, timeout: timeout))
                explain?("ping \(origin)/v2/: HTTP \(response.status)")
                let answer = Answer(origin: origin, response: response)
                if answer.isRegistry { return answer }
                guard isLast else { continue }
                if let failure = reported(failures) {
                    throw RegistryError.from(failure, operation: operation, registry: registry)
                }
                return answer
            } catch let error as HTTPClientError {
                explain?("\(origin) failed (\(error.message))")
                failures.append((origin, error))
                if error.kind == .timeout { break }
            }
        }
        throw RegistryError.from(
            reported(failures) ?? HTTPClientError(.connection, "no address to try"), operation: operation,
            registry: registry)
    }

    /// The failure worth showing: the https origin's, else the first.
    private static func reported(_ failures: [(origin: HTTPOrigin, error: HTTPClientError)]) -> HTTPClientError? {
        (failures.first { $0.origin.scheme == "https" } ?? failures.first)?.error
    }
}

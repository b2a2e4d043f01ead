import RegistryVocabulary

/// Decoding the registry's JSON error bodies (`{"errors":[{"code","message","detail"}]}`) into `RegistryError`.
extension RegistryError {
    /// One entry of a registry's `errors` array.
    package struct Detail: Sendable, Equatable {
        /// `MANIFEST_UNKNOWN`, `DENIED`, ...
        package var code: String
        /// The registry's message.
        package var message: String
    }

    /// The entries of a registry error body; empty when the body is not one.
    package static func details(in body: [UInt8]) -> [Detail] {
        guard let document = try? JSONParser.parse(body), let errors = document.objectValue?["errors"]?.arrayValue
        else { return [] }
        return errors.compactMap { entry in
            guard let object = entry.objectValue else { return nil }
            return Detail(code: object["code"]?.stringValue ?? "UNKNOWN", message: object["message"]?.stringValue ?? "")
        }
    }

    /// The error for a failed response.
    /// - Parameters:
    ///   - response: the non-2xx response.
    ///   - operation: what was being done (`pull_image`).
    ///   - registry: the registry host.
    ///   - authenticated: whether credentials were sent (a 401 then means they were refused).
    package static func from(
        _ response: HTTPResponse, operation: Operation, registry: String, authenticated: Bool = false
    ) -> RegistryError {
        let details = details(in: response.body)
        let code = details.first?.code
        let said = details.first.map {
            $0.message.isEmpty ? sanitize($0.code) : "\(sanitize($0.code)): \(sanitize($0.message))"
        }
        let suffix = said.map { " (\($0))" } ?? ""
        let type: ErrorType
        let advice: String
        switch (response.status, code) {
        case (401, _):
            let scopeError = BearerChallenge.first(in: response.headers.values(for: "WWW-Authenticate"))?.error
            if authenticated && scopeError == "insufficient_scope" {
                type = .authorization
                advice =
                    "the credentials for \(registry) do not allow \(operation); ask for access or use another account"
            } else {
                type = .authentication
                advice =
                    authenticated
                    ? "\(registry) refused the credentials; run `ossb-registry login \(registry)` again"
                    : "\(registry) requires authentication; run `ossb-registry login \(registry)`"
            }
        case (403, _), (_, "DENIED"):
            type = .authorization
            advice = "\(registry) denied \(operation); ask for access or use another account"
        case (404, _), (_, "NAME_UNKNOWN"), (_, "MANIFEST_UNKNOWN"), (_, "BLOB_UNKNOWN"):
            type = .notFound
            advice =
                "\(registry) has no such \(code == "BLOB_UNKNOWN" ? "blob" : code == "NAME_UNKNOWN" ? "repository" : "manifest or repository"); check the reference"
        case (_, "MANIFEST_INVALID"), (_, "MANIFEST_BLOB_UNKNOWN"), (_, "MANIFEST_UNVERIFIED"):
            type = .manifest
            advice = "\(registry) rejected the manifest"
        case (_, "BLOB_UPLOAD_INVALID"), (_, "BLOB_UPLOAD_UNKNOWN"), (_, "SIZE_INVALID"):
            type = .blob
            advice = "\(registry) rejected the blob upload"
        case (_, "DIGEST_INVALID"), (_, "NAME_INVALID"), (_, "TAG_INVALID"), (_, "PAGINATION_NUMBER_INVALID"), (400, _):
            type = .validation
            advice = "\(registry) rejected the request as invalid"
        case (429, _), (_, "TOOMANYREQUESTS"):
            type = .network
            advice = "\(registry) is rate-limiting requests; wait and try again"
        case (500..<600, _), (408, _):
            type = .network
            advice = "\(registry) failed with HTTP \(response.status); try again later"
        default:
            type = .network
            advice = "\(registry) answered HTTP \(response.status) to \(operation)"
        }
        return RegistryError(
            type, operation: operation, registry: registry, message: advice + suffix, code: code,
            status: response.status)
    }

    /// The error for a request that got no response.
    package static func from(_ error: any Error, operation: Operation, registry: String) -> RegistryError {
        if let error = error as? RegistryError { return error }
        if let error = error as? HTTPClientError {
            return RegistryError(
                .network, operation: operation, registry: registry, message: error.message, cause: error)
        }
        return RegistryError(
            .network, operation: operation, registry: registry, message: "\(operation) on \(registry) failed: \(error)")
    }

    /// A registry's message, cut to one short, inert line (it is shown to the user as part of ours).
    static func sanitize(_ text: String) -> String {
        let line = TerminalText.sanitized(text.split(whereSeparator: \.isNewline).first ?? "")
        return line.count > 200 ? String(line.prefix(200)) + "..." : line
    }
}

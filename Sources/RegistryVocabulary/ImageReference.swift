/// An image reference, parsed and normalised as docker does (docker's reference grammar and its
/// normalisation of familiar names).
///
/// `alpine` is `docker.io/library/alpine:latest`; `ghcr.io/o/r@sha256:…` has a digest and no tag;
/// `localhost:5000/app:1`, `127.0.0.1:5000/app` and `[::1]:5000/app` name local registries. A reference may
/// carry a tag and a digest together (`app:1@sha256:…`); the digest then decides what is fetched.
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// Docker Hub's canonical registry name; kept for existing callers, `DockerHub.registry` is its home.
    public static let dockerHub = DockerHub.registry
    /// The registry API host of Docker Hub; kept for existing callers, `DockerHub.apiHost` is its home.
    public static let dockerHubAPIHost = DockerHub.apiHost

    /// The registry host, with port when given (`docker.io`, `127.0.0.1:5000`).
    public var registry: String
    /// The repository path (`library/alpine`).
    public var repository: String
    /// The tag; `latest` when the reference had neither tag nor digest; `nil` with a digest only.
    public var tag: String?
    /// The digest, when the reference pins one.
    public var digest: Digest?

    /// Creates a reference from parts, without validation (use `parse` for user input).
    public init(registry: String, repository: String, tag: String? = nil, digest: Digest? = nil) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// Parses a reference as a user, a configuration file or kubelet wrote it: THE image-to-registry parser, so
    /// that every part of the package agrees on which registry an image lives in.
    /// - Parameters:
    ///   - text: the reference as a user wrote it.
    ///   - defaultRegistry: the registry of references that name none (registry.json's `default_registry`).
    /// - Throws: `ImageReferenceError` naming exactly what is wrong.
    public static func parse(_ text: String, defaultRegistry: String = DockerHub.registry) throws(ImageReferenceError)
        -> ImageReference
    {
        guard !text.isEmpty else { throw .empty }
        if let bad = text.first(where: { $0.isWhitespace }) {
            throw .badCharacters(text, "it contains white space (\(bad.unicodeScalars.first!.escaped(asASCII: true)))")
        }
        // Users paste registry URLs; without this the scheme would be read as a host with an empty port.
        if let scheme = text.firstRange(of: "://") {
            throw .badCharacters(
                text,
                "an image reference has no scheme (\(text[..<scheme.upperBound])); leave it out: \(text[scheme.upperBound...])"
            )
        }
        var remainder = Substring(text)
        var digest: Digest?
        if let at = remainder.firstIndex(of: "@") {
            digest = try Digest(String(remainder[remainder.index(after: at)...]))
            remainder = remainder[..<at]
        }
        var tag: String?
        // A tag follows the last ':' that comes after the last '/' (a ':' before it belongs to a port).
        let lastSlash = remainder.lastIndex(of: "/")
        if let colon = remainder.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            let candidate = String(remainder[remainder.index(after: colon)...])
            try validateTag(candidate)
            tag = candidate
            remainder = remainder[..<colon]
        }
        guard !remainder.isEmpty else { throw .badCharacters(text, "the repository name is missing") }

        var registry = defaultRegistry
        var path = remainder
        if let slash = remainder.firstIndex(of: "/") {
            let first = remainder[..<slash]
            // docker's rule: the first component is a registry when it has a '.' or ':', is localhost, or
            // has upper-case letters (repository names cannot).
            if first.contains(".") || first.contains(":") || first == "localhost"
                || first.contains(where: \.isUppercase)
                || first.hasPrefix("[")
            {
                registry = String(first)
                path = remainder[remainder.index(after: slash)...]
                try validateRegistry(registry)
            }
        }
        if DockerHub.isDockerHub(registry) { registry = DockerHub.registry }
        var repository = String(path)
        if registry == DockerHub.registry, !repository.contains("/") {
            repository = DockerHub.officialNamespace + "/" + repository
        }
        try validateRepository(repository, reference: text)
        let fullLength = registry.count + 1 + repository.count
        if fullLength > 255 { throw .tooLong(text, fullLength) }
        if tag == nil, digest == nil { tag = "latest" }
        return ImageReference(registry: registry, repository: repository, tag: tag, digest: digest)
    }

    package static func validateTag(_ tag: String) throws(ImageReferenceError) {
        guard !tag.isEmpty else { throw .badTag(tag, "a tag cannot be empty (remove the ':' or name a tag)") }
        guard tag.count <= 128 else {
            throw .badTag(String(tag.prefix(32)) + "…", "a tag is at most 128 characters, this one has \(tag.count)")
        }
        let first = tag.unicodeScalars.first!
        guard Self.isWord(first) else { throw .badTag(tag, "a tag must start with a letter, digit or '_'") }
        guard tag.unicodeScalars.allSatisfy({ Self.isWord($0) || $0 == "." || $0 == "-" }) else {
            throw .badTag(tag, "a tag may contain only letters, digits, '_', '.' and '-'")
        }
    }

    static func isWord(_ s: Unicode.Scalar) -> Bool {
        s.isASCII && (("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "_")
    }

    static func validateRegistry(_ registry: String) throws(ImageReferenceError) {
        var host = Substring(registry)
        var port: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else {
                throw .badRegistry(registry, "an IPv6 address needs a closing ']'")
            }
            let address = host[host.index(after: host.startIndex)..<close]
            guard !address.isEmpty, address.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw .badRegistry(registry, "\"\(address)\" is not an IPv6 address")
            }
            let after = host[host.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else {
                    throw .badRegistry(registry, "unexpected text after the IPv6 address")
                }
                port = after.dropFirst()
            }
        } else {
            if let colon = host.firstIndex(of: ":") {
                port = host[host.index(after: colon)...]
                host = host[..<colon]
            }
            guard !host.isEmpty else { throw .badRegistry(registry, "the host name is empty") }
            for component in host.split(separator: ".", omittingEmptySubsequences: false) {
                guard !component.isEmpty,
                    component.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
                    component.first != "-", component.last != "-"
                else {
                    throw .badRegistry(
                        registry, "\"\(component)\" is not a valid host name part (letters, digits and inner '-')")
                }
            }
        }
        if let port {
            guard !port.isEmpty, port.count <= 5, port.allSatisfy(\.isNumber), let n = Int(port), n <= 65535 else {
                throw .badRegistry(registry, "the port \"\(port)\" is not a number from 0 to 65535")
            }
        }
    }

    static func validateRepository(_ repository: String, reference: String) throws(ImageReferenceError) {
        if repository.contains(where: \.isUppercase) { throw .uppercase(reference) }
        for component in repository.split(separator: "/", omittingEmptySubsequences: false) {
            guard !component.isEmpty else {
                throw .badCharacters(
                    reference, "the repository name has an empty path component (\"//\" or a trailing '/')")
            }
            let scalars = Array(component.unicodeScalars)
            func alnum(_ s: Unicode.Scalar) -> Bool {
                s.isASCII && (("a"..."z").contains(s) || ("0"..."9").contains(s))
            }
            if let bad = scalars.first(where: { !alnum($0) && $0 != "." && $0 != "_" && $0 != "-" }) {
                throw .badCharacters(
                    reference,
                    "'\(bad.escaped(asASCII: true))' may not appear in a repository name (allowed: a-z, 0-9, '.', '_', '-', and '/' between components)"
                )
            }
            guard alnum(scalars.first!), alnum(scalars.last!) else {
                throw .badCharacters(
                    reference, "the path component \"\(component)\" must start and end with a letter or digit")
            }
            // Separators: one '.', one or two '_', or any number of '-'; never mixed or doubled otherwise.
            var i = 0
            while i < scalars.count {
                if alnum(scalars[i]) {
                    i += 1
                    continue
                }
                var j = i
                while j < scalars.count, !alnum(scalars[j]) { j += 1 }
                let run = String(String.UnicodeScalarView(scalars[i..<j]))
                let ok = run == "." || run == "_" || run == "__" || run.allSatisfy { $0 == "-" }
                guard ok else {
                    throw .badCharacters(
                        reference,
                        "\"\(run)\" is not a valid separator in \"\(component)\" (use '.', '_', '__' or dashes)")
                }
                i = j
            }
        }
    }

    /// The host to connect to: Docker Hub's API lives at `registry-1.docker.io`.
    public var apiHost: String { DockerHub.apiHost(of: registry) }

    /// What to ask the registry for: the digest when there is one, else the tag.
    public var identifier: String { digest?.description ?? tag ?? "latest" }

    /// The fully qualified form: `docker.io/library/alpine:latest`, `r.example/app@sha256:…`.
    public var description: String {
        var text = "\(registry)/\(repository)"
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    /// The short form docker prints: `alpine:latest`, `user/app:1`, `r.example/app:1`.
    public var familiarName: String {
        var name = "\(registry)/\(repository)"
        if registry == DockerHub.registry {
            let official = DockerHub.officialNamespace + "/"
            name = repository.hasPrefix(official) ? String(repository.dropFirst(official.count)) : repository
        }
        if let tag { name += ":\(tag)" }
        if let digest { name += "@\(digest)" }
        return name
    }

    /// The same repository with another tag or digest.
    public func with(tag: String? = nil, digest: Digest? = nil) -> ImageReference {
        ImageReference(registry: registry, repository: repository, tag: tag, digest: digest)
    }
}

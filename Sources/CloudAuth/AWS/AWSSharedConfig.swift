import AuthCore

/// The AWS shared configuration and credentials files (`~/.aws/config`, `~/.aws/credentials`, or
/// `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`), read as the SDKs read them: INI sections, `[name]` in the
/// credentials file and `[profile name]` (or `[default]`) in the config file, the credentials file winning for a
/// key both set, and the config file's `[sso-session name]` sections. Indented lines (nested settings such as
/// `s3 =`) are skipped.
package struct AWSSharedConfig: Sendable {
    /// Settings by profile, the credentials file's over the config file's.
    package var profiles: [String: [String: String]]
    /// The IAM Identity Center sessions of the config file (`[sso-session name]`), by name.
    package var ssoSessions: [String: [String: String]]
    /// The files read, for messages.
    package var files: [String]

    /// Reads both files from an environment; a missing file is empty.
    /// - Throws: `CloudAuthError` when a file exists but cannot be read.
    package init(environment: Environment) throws {
        let home = OSSBPaths(environment: environment).home
        let configPath = environment["AWS_CONFIG_FILE"] ?? home.map { "\($0)/.aws/config" }
        let credentialsPath = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? home.map { "\($0)/.aws/credentials" }
        var profiles: [String: [String: String]] = [:]
        var ssoSessions: [String: [String: String]] = [:]
        files = [configPath, credentialsPath].compactMap { $0 }
        for (path, isConfig) in [(configPath, true), (credentialsPath, false)] {
            guard let path else { continue }
            let bytes: [UInt8]?
            do {
                bytes = try FileIO.readIfExists(path, limit: 1 << 20)
            } catch {
                throw CloudAuthError(
                    cloud: "AWS",
                    "cannot read \(path): \(error); fix its permissions or point AWS_\(isConfig ? "CONFIG_FILE" : "SHARED_CREDENTIALS_FILE") elsewhere"
                )
            }
            guard let bytes else { continue }
            for (section, settings) in Self.parse(String(decoding: bytes, as: UTF8.self)) {
                var name = section
                if isConfig {
                    if section.hasPrefix("profile ") {
                        name = String(section.dropFirst("profile ".count)).trimmingWhitespace()
                    } else if section.hasPrefix("sso-session ") {
                        let session = String(section.dropFirst("sso-session ".count)).trimmingWhitespace()
                        ssoSessions[session, default: [:]].merge(settings) { _, new in new }
                        continue
                    } else if section != "default" {
                        continue  // services and other sections that are no profile
                    }
                }
                profiles[name, default: [:]].merge(settings) { _, new in new }
            }
        }
        self.profiles = profiles
        self.ssoSessions = ssoSessions
    }

    /// Sections in order of appearance with their `key = value` settings (keys lower-cased).
    static func parse(_ text: String) -> [(String, [String: String])] {
        var sections: [(String, [String: String])] = []
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            if rawLine.first == " " || rawLine.first == "\t" { continue }
            let line = String(rawLine).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                sections.append((String(line.dropFirst().dropLast()).trimmingWhitespace(), [:]))
                continue
            }
            guard !sections.isEmpty, let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).trimmingWhitespace().lowercased()
            let value = String(line[line.index(after: equals)...]).trimmingWhitespace()
            sections[sections.count - 1].1[key] = value
        }
        return sections
    }
}

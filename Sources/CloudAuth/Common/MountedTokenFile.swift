import AuthCore

/// A token the platform mounts as a file (a projected service account token for AWS web identity or Azure
/// workload identity, the EKS pod identity agent's token): read on every use, because kubelet rotates it.
package enum MountedTokenFile {
    /// The largest token file read; these are JWTs of a few KiB.
    static let limit = 64 << 10

    /// The file's text without surrounding whitespace.
    /// - Parameters:
    ///   - path: the file.
    ///   - cloud: the cloud, for the error.
    ///   - unreadable: the message when the file exists but cannot be read, given the reason.
    ///   - missing: the message when the file does not exist or holds nothing.
    /// - Throws: `CloudAuthError` with one of the two messages.
    package static func read(
        _ path: String, cloud: String, unreadable: (String) -> String, missing: String
    ) throws(CloudAuthError) -> String {
        let bytes: [UInt8]?
        do {
            bytes = try FileIO.readIfExists(path, limit: limit)
        } catch {
            throw CloudAuthError(cloud: cloud, unreadable("\(error)"))
        }
        let token = bytes.map { String(decoding: $0, as: UTF8.self).trimmingWhitespace() } ?? ""
        guard !token.isEmpty else { throw CloudAuthError(cloud: cloud, missing) }
        return token
    }
}

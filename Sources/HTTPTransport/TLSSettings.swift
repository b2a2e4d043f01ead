import AuthCore
import Glibc

/// How one origin's TLS is verified: the system CA store, plus what its `certs.d` directory holds, docker's
/// and containers' layout that users already have:
/// `<dir>/<host:port>/*.crt` are extra CAs, `<name>.cert` with `<name>.key` a client certificate.
/// `insecure` registries (registry.json) skip verification; nothing else does.
struct TLSSettings: Sendable, Equatable {
    /// PEM of every CA file found, concatenated; empty when none.
    var extraCAs: [UInt8] = []
    /// Client certificate and key files.
    var clientCertificate: String?
    var clientKey: String?
    /// Skip certificate and host verification (only for hosts configured `insecure`).
    var skipVerification = false
    /// The certs.d directory that supplied the files, for the explanation mode.
    var source: String?

    /// The system's CA directory: added beside a private CA so that public registries still verify.
    static let systemCAPath = "/etc/ssl/certs"

    /// Reads the settings for an origin from the first `certs.d` directory that has an entry for it.
    /// - Parameters:
    ///   - origin: the server.
    ///   - certsDirectories: `OSSBPaths.certsDirectories`, searched in order.
    ///   - insecureHosts: registry.json's `insecure` list (`host` or `host:port`).
    static func load(for origin: HTTPOrigin, certsDirectories: [String], insecureHosts: Set<String>) -> TLSSettings {
        var settings = TLSSettings()
        settings.skipVerification =
            insecureHosts.contains(origin.hostAndPort) || insecureHosts.contains(origin.host)
            || insecureHosts.contains("\(origin.host):\(origin.port)")
        // docker names the directory after the registry as written: `host:port`, or `host` for port 443.
        let names = [origin.hostAndPort, "\(origin.host):\(origin.port)"]
        for directory in certsDirectories {
            for name in Set(names) {
                let dir = "\(directory)/\(name)"
                let files = listFiles(dir)
                guard !files.isEmpty else { continue }
                for file in files where file.hasSuffix(".crt") {
                    if let pem = try? FileIO.readIfExists("\(dir)/\(file)", limit: 1 << 20) {
                        settings.extraCAs += pem + [0x0A]
                    }
                }
                for file in files where file.hasSuffix(".cert") {
                    let key = String(file.dropLast(5)) + ".key"
                    if files.contains(key) {
                        settings.clientCertificate = "\(dir)/\(file)"
                        settings.clientKey = "\(dir)/\(key)"
                        break
                    }
                }
                settings.source = dir
                return settings
            }
        }
        return settings
    }

    /// The names in a directory, sorted; empty when it does not exist or cannot be read.
    static func listFiles(_ path: String) -> [String] {
        (try? FileIO.directoryEntries(path)) ?? []
    }
}

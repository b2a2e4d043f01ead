import Foundation

/// A secret volume laid out on disk exactly as kubelet's atomic writer lays it out, from a Secret object that
/// `kubectl create secret ... --dry-run=client -o json` produced (the committed fixtures), so that tests need
/// no cluster:
///
///     DIR/..2026_11_29_10_07_55.000000001/username   the files of the current version, mode 0644
///     DIR/..data -> ..2026_11_29_10_07_55.000000001  swapped atomically (rename of ..data_tmp) on update
///     DIR/username -> ..data/username                 one link per key, through ..data
package final class KubeletMount: @unchecked Sendable {
    /// The mounted secret's directory.
    package let path: String
    private var version = 0

    /// The directory of the committed kubectl fixtures.
    package static let fixtures: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/kubernetes").path
    }()

    /// The keys and decoded values of a fixture (`data` is base64, as the API server and kubectl encode it).
    package static func decode(fixture name: String) throws -> [String: [UInt8]] {
        let json = try Data(contentsOf: URL(fileURLWithPath: "\(fixtures)/\(name)"))
        guard let object = try JSONSerialization.jsonObject(with: json) as? [String: Any],
            object["kind"] as? String == "Secret", let data = object["data"] as? [String: String]
        else { throw MountError("\(name) is not a kubectl Secret with data") }
        return try data.mapValues { value in
            guard let bytes = Data(base64Encoded: value) else { throw MountError("\(name): a value is not base64") }
            return Array(bytes)
        }
    }

    /// Mounts a fixture at `path` (created if missing).
    package convenience init(at path: String, fixture name: String) throws {
        try self.init(at: path, files: KubeletMount.decode(fixture: name))
    }

    /// Mounts raw key contents at `path` (created if missing): for malformed secrets no kubectl would make.
    package init(at path: String, files: [String: [UInt8]]) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try update(files: files)
    }

    /// Replaces the secret as kubelet does on an update: a new timestamped directory, `..data` swapped by an
    /// atomic rename, links for new keys added and for vanished keys removed, the old version deleted.
    package func update(fixture name: String) throws {
        try update(files: KubeletMount.decode(fixture: name))
    }

    /// `update(fixture:)` with raw key contents.
    package func update(files: [String: [UInt8]]) throws {
        let fm = FileManager.default
        version += 1
        let versionName = String(format: "..2026_11_29_10_07_55.%09d", version)
        let versionPath = "\(path)/\(versionName)"
        try fm.createDirectory(atPath: versionPath, withIntermediateDirectories: false)
        for (key, bytes) in files {
            try Data(bytes).write(to: URL(fileURLWithPath: "\(versionPath)/\(key)"))
            try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: "\(versionPath)/\(key)")
        }
        let old = try? fm.destinationOfSymbolicLink(atPath: "\(path)/..data")
        try? fm.removeItem(atPath: "\(path)/..data_tmp")
        try fm.createSymbolicLink(atPath: "\(path)/..data_tmp", withDestinationPath: versionName)
        guard rename("\(path)/..data_tmp", "\(path)/..data") == 0 else { throw MountError("cannot swap ..data") }
        let existing = try fm.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix("..") }
        for key in files.keys where !existing.contains(key) {
            try fm.createSymbolicLink(atPath: "\(path)/\(key)", withDestinationPath: "..data/\(key)")
        }
        for key in existing where files[key] == nil { try fm.removeItem(atPath: "\(path)/\(key)") }
        if let old { try fm.removeItem(atPath: "\(path)/\(old)") }
    }

    /// The real file of `key` in the current version (to change its mode in a test).
    package func currentFile(_ key: String) throws -> String {
        "\(path)/\(try FileManager.default.destinationOfSymbolicLink(atPath: "\(path)/..data"))/\(key)"
    }
}

/// A fixture could not be read or laid out.
package struct MountError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

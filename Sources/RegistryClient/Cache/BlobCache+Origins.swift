import AuthCore
import Glibc
import RegistryVocabulary

/// Which repositories hold each blob, so that a push to another repository of the same registry mounts a blob
/// instead of uploading it.
///
/// One file per registry, `origins/registries/<host>`, with a line `<digest> <repository>` for each blob and
/// repository, appended to once per pull (all its blobs in one `write`). A pull of 200 blobs used to create 200
/// files here (`origins/<hex>`, one per blob), and creating files is what a pull of many small blobs spent most
/// of its time on (ext4's inode allocator, in `perf record`). Files `origins/<hex>` that earlier versions wrote
/// (a line `<registry> <repository>` each) are still read; `cache prune` removes both kinds.
extension BlobCache {
    /// An origins file larger than this is not read (nor appended to): at about 100 bytes a line, it would take
    /// some 160,000 blob-repository pairs, and `cache prune` starts it over.
    static let originsLimit = 16 << 20

    /// Records where blobs live, one open of each registry's file: reads it once to leave out lines already
    /// there, then appends the missing ones in one `write` (`O_APPEND` keeps concurrent writers' lines whole;
    /// two pulls racing may both add a line, which reading tolerates). Best effort: a record that cannot be
    /// written only costs a later upload instead of a mount.
    package func recordOrigins(_ origins: [BlobOrigin]) {
        let byRegistry = Dictionary(grouping: origins, by: \.registry)
        for (registry, origins) in byRegistry {
            guard let file = originsFile(registry) else { continue }
            let fd = Self.openPrivate(file, O_RDWR | O_APPEND)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            guard let known = try? FileIO.readAll(fd: fd, path: file, limit: Self.originsLimit) else { continue }
            var added = ""
            let lines = origins.map { "\($0.digest) \($0.repository)" }
            if lines.count <= Self.searchedUpTo {
                for line in lines where !Self.hasLine(known, line) && !added.contains(line + "\n") {
                    added += line + "\n"
                }
            } else {
                var known = Set(String(decoding: known, as: UTF8.self).split(separator: "\n"))
                for line in lines where known.insert(Substring(line)).inserted { added += line + "\n" }
            }
            guard !added.isEmpty else { continue }
            // A line a crash cut short is ended first, so that it cannot swallow the next one.
            if let last = known.last, last != UInt8(ascii: "\n") { added = "\n" + added }
            try? FileIO.writeAll(fd: fd, Array(added.utf8), path: file)
        }
    }

    /// Up to this many new lines are looked for in the file one by one (`hasLine`); more, as a pull records,
    /// through one pass that splits the file into lines. A push records each blob as it goes: splitting a file
    /// of 10,000 lines for each of 200 blobs took 4.5 s (a debug build), far more than the pushes it serves.
    static let searchedUpTo = 8

    /// Whether `text` holds `line` as one of its lines: each line's start compared in place (`memchr` to the
    /// next line, `memcmp`), nothing allocated per line.
    static func hasLine(_ text: [UInt8], _ line: String) -> Bool {
        let whole = Array(line.utf8) + [UInt8(ascii: "\n")]
        return text.withUnsafeBytes { text in
            whole.withUnsafeBytes { whole in
                guard let base = text.baseAddress, let wanted = whole.baseAddress else { return false }
                var start = 0
                while text.count - start >= whole.count {
                    if memcmp(base + start, wanted, whole.count) == 0 { return true }
                    guard let newline = memchr(base + start, Int32(UInt8(ascii: "\n")), text.count - start) else {
                        return false
                    }
                    start = base.distance(to: UnsafeRawPointer(newline)) + 1
                }
                return false
            }
        }
    }

    /// Records that a blob lives in `repository` of `registry` (`recordOrigins` of one).
    package func recordOrigin(_ digest: Digest, registry: String, repository: String) {
        recordOrigins([BlobOrigin(digest, registry: registry, repository: repository)])
    }

    /// The repositories of `registry` known to hold each blob, its file read once (a push asks for every blob).
    package func origins(in registry: String) -> OriginIndex {
        var repositories: [String: [String]] = [:]
        if let file = originsFile(registry),
            let bytes = (try? FileIO.readIfExists(file, limit: Self.originsLimit)) ?? nil
        {
            for (digest, repository) in Self.pairs(in: bytes)
            where !(repositories[digest]?.contains(repository) ?? false) {
                repositories[digest, default: []].append(repository)
            }
        }
        return OriginIndex(cache: self, registry: registry, repositories: repositories)
    }

    /// The origins in the blob's own file, as earlier versions recorded them (`origins/<hex>`: a line
    /// `<registry> <repository>` each).
    func originsInBlobFile(_ digest: Digest) -> [(registry: String, repository: String)] {
        guard let bytes = (try? FileIO.readIfExists("\(root)/origins/\(digest.encoded)", limit: 1 << 20)) ?? nil else {
            return []
        }
        return Self.pairs(in: bytes).map { (registry: $0.0, repository: $0.1) }
    }

    /// The lines of an origins file as their two space-separated words; a line torn by a crash is left out.
    static func pairs(in bytes: [UInt8]) -> [(String, String)] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            return words.count == 2 ? (String(words[0]), String(words[1])) : nil
        }
    }

    /// The origins file of a registry: `origins/registries/` and the host, with every byte other than a letter, a
    /// digit, `-`, `_`, `:` or a `.` after the first written as `%XX`, so that no host names another file.
    func originsFile(_ registry: String) -> String? {
        guard !registry.isEmpty else { return nil }
        var name = ""
        for byte in registry.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ":"):
                name.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: ".") where !name.isEmpty:
                name += "."
            default:
                name += (byte < 16 ? "%0" : "%") + String(byte, radix: 16, uppercase: true)
            }
        }
        return "\(root)/origins/registries/\(name)"
    }
}

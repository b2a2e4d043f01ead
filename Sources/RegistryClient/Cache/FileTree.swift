import AuthCore
import Glibc

/// Listing and removing directory trees with plain system calls (FoundationEssentials has no FileManager).
enum FileTree {
    /// The names in a directory (without `.` and `..`); empty when it cannot be read.
    static func names(in directory: String) -> [String] {
        (try? FileIO.directoryEntries(directory)) ?? []
    }

    /// The size of a regular file (not following a symbolic link), or `nil`.
    static func size(of path: String) -> Int64? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// Whether `path` is a directory (not a symbolic link to one).
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Removes `path` and, when it is a directory (not a symbolic link to one), everything in it.
    static func remove(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            for name in names(in: path) { remove("\(path)/\(name)") }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}

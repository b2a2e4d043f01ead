import Glibc

/// Writing to the process's standard streams without Foundation's `FileHandle`.
package enum StandardStreams {
    /// Writes `text` to a descriptor, ignoring a closed pipe (the client went away; nothing to tell it).
    package static func write(_ text: String, to fd: Int32) {
        guard !text.isEmpty else { return }
        try? FileIO.writeAll(fd: fd, Array(text.utf8), path: "fd \(fd)")
    }
}

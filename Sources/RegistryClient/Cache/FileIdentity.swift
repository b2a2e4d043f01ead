import Glibc

/// Which file a name leads to: its device and inode. A name can be changed to lead elsewhere by whoever may
/// write its directory; the file itself only by whoever may write the file.
package struct FileIdentity: Sendable, Equatable {
    let device: UInt64
    let inode: UInt64

    package init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }

    /// The file an open descriptor refers to, or nil when `fstat` fails.
    package init?(descriptor: Int32) {
        var st = stat()
        guard fstat(descriptor, &st) == 0 else { return nil }
        self.init(st)
    }

    /// The file `path` names (not following a final symbolic link), or nil.
    package init?(path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        self.init(st)
    }
}

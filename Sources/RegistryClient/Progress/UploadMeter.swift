import Synchronization

/// The bytes of one blob upload shown so far, kept equal to what has really left: the body source adds bytes
/// as libcurl takes them for sending, and the uploader sets the figure back when an attempt is repeated or the
/// registry reports how much it holds.
final class UploadMeter: Sendable {
    private let label: String
    private let progress: any ProgressReporter
    private let shown = Mutex<Int64>(0)

    init(label: String, progress: any ProgressReporter) {
        self.label = label
        self.progress = progress
    }

    /// `bytes` more were handed to libcurl.
    func add(_ bytes: Int64) {
        guard bytes != 0 else { return }
        shown.withLock { $0 += bytes }
        progress.advanced(label, by: bytes)
    }

    /// The upload stands at `bytes` (a retry starts its body again; the registry said how far it got).
    func set(to bytes: Int64) {
        let delta = shown.withLock { shown in
            defer { shown = bytes }
            return bytes - shown
        }
        if delta != 0 { progress.advanced(label, by: delta) }
    }
}

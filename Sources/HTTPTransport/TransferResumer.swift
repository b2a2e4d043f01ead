import CCurl

/// Resumes one paused transfer. A body sink or reader that paused its transfer (see `PausableBody`) keeps one
/// and calls `resume()` from any thread once it can go on; the unpause itself runs on the transfer's loop
/// thread between two rounds of `curl_multi_perform`, never inside another transfer's callback, so a callback
/// of one transfer can wake another transfer of the same client without re-entering libcurl.
final class TransferResumer: Sendable {
    private let loop: CurlMultiLoop
    private let handle: UncheckedHandle
    private let serial: UInt64

    init(loop: CurlMultiLoop, easy: CurlEasy, serial: UInt64) {
        self.loop = loop
        self.handle = UncheckedHandle(easy: easy)
        self.serial = serial
    }

    /// Asks the loop to unpause the transfer; nothing happens if it has finished meanwhile (its handle may
    /// already serve another transfer, which the serial number tells apart).
    func resume() { loop.resume(handle.easy.handle, serial: serial) }
}

/// A body sink or body reader that may pause its transfer instead of blocking the loop thread: it throws
/// `TransferPaused` from `write` or `read`, and later calls the resumer it was given to go on. libcurl hands a
/// paused download's chunk again on resumption, and asks a paused upload's reader again.
protocol PausableBody: AnyObject {
    /// Called before the transfer is submitted to the loop (again for each new transfer using this body: a
    /// redirect, a retry).
    func attach(_ resumer: TransferResumer)
}

/// Thrown by a `PausableBody`'s `write` or `read` to pause its transfer (`CURL_WRITEFUNC_PAUSE`,
/// `CURL_READFUNC_PAUSE`) until it calls its resumer.
struct TransferPaused: Error {}

import AuthCore
import CCurl

/// The C callbacks libcurl calls; each finds its `TransferState` through the userdata pointer. They are global
/// (non-capturing) so that they convert to C function pointers.
enum CurlCallbacks {
    static let write: ossb_curl_data_callback = { buffer, size, count, userdata in
        let state = Unmanaged<TransferState>.fromOpaque(userdata!).takeUnretainedValue()
        let length = size * count
        guard length > 0, let buffer else { return 0 }
        switch state.receiveBody(UnsafeRawBufferPointer(start: buffer, count: length)) {
        case .taken: return length
        case .paused: return Int(CURL_WRITEFUNC_PAUSE)
        case .abort: return 0  // a short count makes libcurl abort with CURLE_WRITE_ERROR
        }
    }

    static let header: ossb_curl_data_callback = { buffer, size, count, userdata in
        let state = Unmanaged<TransferState>.fromOpaque(userdata!).takeUnretainedValue()
        let length = size * count
        guard let buffer else { return length }
        let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
        state.receiveHeader(line)
        return length
    }

    static let read: ossb_curl_data_callback = { buffer, size, count, userdata in
        let state = Unmanaged<TransferState>.fromOpaque(userdata!).takeUnretainedValue()
        guard let buffer else { return 0 }
        let target = UnsafeMutableRawBufferPointer(start: buffer, count: size * count)
        return state.sendBody(into: target)
    }

    /// Returning non-zero cancels the transfer: how task cancellation reaches a blocking `curl_easy_perform`.
    static let progress: ossb_curl_xferinfo_callback = { userdata, _, _, _, _ in
        let state = Unmanaged<TransferState>.fromOpaque(userdata!).takeUnretainedValue()
        return state.cancelled.load(ordering: .relaxed) ? 1 : 0
    }
}

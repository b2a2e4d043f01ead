import AuthCore
import CCurl

/// One libcurl easy handle with typed option setters.
///
/// `curl_easy_setopt` is variadic; the shim has one wrapper per argument type, and a wrong one compiles but
/// silently misbehaves. libcurl's option numbers encode their type (long below 10000, pointer 10000-19999,
/// function 20000-29999, `curl_off_t` 30000-39999), so each setter asserts the range in debug builds.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer

    /// Makes a handle; `nil` only when libcurl is out of memory.
    init?() {
        _ = CurlGlobal.initialized
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// Clears every option but keeps the connection cache, so the next request to the same host reuses the
    /// open connection.
    func reset() { curl_easy_reset(handle) }

    func set(_ option: CURLoption, _ value: Int) {
        assert(option.rawValue < 10000, "option \(option.rawValue) does not take a long")
        _ = ossb_curl_setopt_long(handle, option, value)
    }

    func set(_ option: CURLoption, _ value: String) {
        assert((10000..<20000).contains(option.rawValue), "option \(option.rawValue) does not take a string")
        // libcurl copies string options (since 7.17), so the temporary C string may go away after the call.
        _ = value.withCString { ossb_curl_setopt_string(handle, option, $0) }
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) {
        assert((10000..<20000).contains(option.rawValue), "option \(option.rawValue) does not take a pointer")
        _ = ossb_curl_setopt_pointer(handle, option, pointer)
    }

    func set(_ option: CURLoption, offset: Int64) {
        assert((30000..<40000).contains(option.rawValue), "option \(option.rawValue) does not take a curl_off_t")
        _ = ossb_curl_setopt_off(handle, option, curl_off_t(offset))
    }

    func set(_ option: CURLoption, callback: ossb_curl_data_callback) {
        assert((20000..<30000).contains(option.rawValue), "option \(option.rawValue) does not take a function")
        _ = ossb_curl_setopt_data_callback(handle, option, callback)
    }

    func set(_ option: CURLoption, blob: [UInt8]) {
        assert((40000..<50000).contains(option.rawValue), "option \(option.rawValue) does not take a blob")
        var copy = blob
        _ = copy.withUnsafeMutableBytes { ossb_curl_setopt_blob(handle, option, $0.baseAddress, $0.count) }
    }

    func info(long: CURLINFO) -> Int {
        var value = 0
        _ = ossb_curl_getinfo_long(handle, long, &value)
        return value
    }

    func perform() -> CURLcode { curl_easy_perform(handle) }
}

/// libcurl's process-wide initialisation, which is not thread-safe and must happen once before any handle.
enum CurlGlobal {
    static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()
}

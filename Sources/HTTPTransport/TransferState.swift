import AuthCore
import CCurl
import Synchronization

/// Everything one transfer's callbacks touch, reached through libcurl's userdata pointer. Used by the transfer
/// loop's thread only, except `cancelled`, which the task's cancellation handler sets.
final class TransferState: @unchecked Sendable {
    let request: HTTPRequest
    let sink: (any HTTPBodySink)?
    var reader: (any HTTPBodyReader)?
    let cancelled = Atomic<Bool>(false)

    var status = 0
    var headers = HTTPHeaders()
    var body: [UInt8] = []
    var streamed: Int64 = 0
    /// An error raised inside a callback (sink, body reader, size limit), reported instead of libcurl's
    /// generic "aborted by callback".
    var callbackError: (any Error)?
    /// libcurl's error text; a fixed allocation because libcurl writes it during the whole transfer.
    let errorBuffer: UnsafeMutablePointer<CChar>
    /// The header and name-resolution lists libcurl reads during the transfer, freed with the state.
    var headerList: UnsafeMutablePointer<curl_slist>?
    var resolveList: UnsafeMutablePointer<curl_slist>?

    init(request: HTTPRequest, sink: (any HTTPBodySink)?) {
        self.request = request
        self.sink = sink
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        errorBuffer.deallocate()
        curl_slist_free_all(headerList)
        curl_slist_free_all(resolveList)
    }

    /// Handles one header line; a status line starts a new header block (after `100 Continue`).
    func receiveHeader(_ line: String) {
        var text = Substring(line)
        while let last = text.last, last.isNewline { text = text.dropLast() }
        if text.hasPrefix("HTTP/") {
            let parts = text.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = HTTPHeaders()
            return
        }
        guard let colon = text.firstIndex(of: ":") else { return }
        let name = String(text[..<colon])
        var value = text[text.index(after: colon)...]
        while value.first == " " || value.first == "\t" { value = value.dropFirst() }
        while value.last == " " || value.last == "\t" { value = value.dropLast() }
        headers.add(name, String(value))
    }

    /// Handles a chunk of body: 2xx bodies go to the sink when there is one, everything else is buffered.
    /// - Returns: false to abort the transfer.
    func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Bool {
        if let sink, (200..<300).contains(status) {
            do {
                try sink.write(chunk)
                streamed += Int64(chunk.count)
                return true
            } catch {
                callbackError = error
                return false
            }
        }
        guard body.count + chunk.count <= request.maximumBufferedBody else {
            callbackError = HTTPClientError(
                .bodyTooLarge,
                "the response from \(request.origin?.description ?? "the server") is larger than \(request.maximumBufferedBody) bytes"
            )
            return false
        }
        body.append(contentsOf: chunk)
        return true
    }

    /// Fills libcurl's upload buffer from the body reader.
    /// - Returns: bytes written, 0 at the end, or nil after an error (recorded in `callbackError`).
    func sendBody(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard let reader else { return 0 }
        do {
            return try reader.read(into: buffer)
        } catch {
            callbackError = error
            return nil
        }
    }
}

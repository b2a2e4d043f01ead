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

    /// What the write callback tells libcurl about a chunk.
    enum Receipt {
        case taken
        /// The sink paused the transfer (`CURL_WRITEFUNC_PAUSE`): libcurl hands the same chunk again later.
        case paused
        case abort
    }

    /// Handles a chunk of body: 2xx bodies go to the sink when there is one, everything else is buffered.
    func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Receipt {
        if let sink, (200..<300).contains(status) {
            do {
                try sink.write(chunk)
                streamed += Int64(chunk.count)
                return .taken
            } catch is TransferPaused {
                return .paused
            } catch {
                callbackError = error
                return .abort
            }
        }
        guard body.count + chunk.count <= request.maximumBufferedBody else {
            callbackError = HTTPClientError(
                .bodyTooLarge,
                "the response from \(request.origin?.description ?? "the server") is larger than \(request.maximumBufferedBody) bytes"
            )
            return .abort
        }
        body.append(contentsOf: chunk)
        return .taken
    }

    /// Fills libcurl's upload buffer from the body reader.
    /// - Returns: bytes written, 0 at the end, `CURL_READFUNC_PAUSE` when the reader paused the transfer, or
    ///   `CURL_READFUNC_ABORT` after an error (recorded in `callbackError`).
    func sendBody(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let reader else { return 0 }
        do {
            return try reader.read(into: buffer)
        } catch is TransferPaused {
            return Int(CURL_READFUNC_PAUSE)
        } catch {
            callbackError = error
            return Int(CURL_READFUNC_ABORT)
        }
    }

    /// Gives the sink and the body reader, when they can pause the transfer, the means to resume it.
    func attach(_ resumer: TransferResumer) {
        (sink as? any PausableBody)?.attach(resumer)
        (reader as? any PausableBody)?.attach(resumer)
    }
}

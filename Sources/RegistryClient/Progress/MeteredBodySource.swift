import AuthCore

/// A request body that reports its bytes to an `UploadMeter` as libcurl reads them for sending, so that
/// progress moves during a long PUT or PATCH instead of jumping when it ends. Each new reader (a resend after a
/// 401, a redirect or a retry) first sets the meter back to where this body starts.
struct MeteredBodySource: HTTPBodySource {
    /// The body.
    let base: any HTTPBodySource
    /// Where the body starts within the blob.
    let start: Int64
    let meter: UploadMeter

    var length: Int64? { base.length }

    func makeReader() throws -> any HTTPBodyReader {
        let reader = try base.makeReader()
        meter.set(to: start)
        return MeteredBodyReader(base: reader, meter: meter)
    }
}

/// One pass over a metered body.
final class MeteredBodyReader: HTTPBodyReader {
    private let base: any HTTPBodyReader
    private let meter: UploadMeter

    init(base: any HTTPBodyReader, meter: UploadMeter) {
        self.base = base
        self.meter = meter
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try base.read(into: buffer)
        meter.add(Int64(n))
        return n
    }
}

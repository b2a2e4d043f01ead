import AuthCore
import Synchronization

/// Idle easy handles kept per origin. A handle keeps its connection cache across `curl_easy_reset`, so taking
/// a handle last used for the same origin reuses that open connection (and its TLS session).
final class CurlHandlePool: Sendable {
    private let idle = Mutex<[HTTPOrigin: [UncheckedHandle]]>([:])
    /// Handles kept per origin; more concurrent transfers than this open fresh connections.
    let capacityPerOrigin: Int

    init(capacityPerOrigin: Int = 8) {
        self.capacityPerOrigin = capacityPerOrigin
    }

    /// An idle handle for the origin, reset, or a new one.
    func take(for origin: HTTPOrigin) -> CurlEasy? {
        let reused = idle.withLock { handles -> CurlEasy? in
            handles[origin]?.popLast()?.easy
        }
        if let reused {
            reused.reset()
            return reused
        }
        return CurlEasy()
    }

    /// Returns a handle whose transfer completed, so its connection can serve the next request.
    func give(_ easy: CurlEasy, for origin: HTTPOrigin) {
        idle.withLock { handles in
            if handles[origin, default: []].count < capacityPerOrigin {
                handles[origin, default: []].append(UncheckedHandle(easy: easy))
            }
        }
    }
}

/// A handle moved between threads: only one thread uses it at a time (the pool hands it out once).
struct UncheckedHandle: @unchecked Sendable {
    let easy: CurlEasy
}

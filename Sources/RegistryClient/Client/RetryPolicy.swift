import AuthCore
import FoundationEssentials

/// When and how long to retry a failed request: network errors, 408, 429 and 5xx, with exponential backoff and
/// jitter, honouring `Retry-After`, bounded in attempts and in total time. Other 4xx answers are never retried:
/// asking again cannot change them.
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts, the first included.
    public var maxAttempts: Int
    /// The first delay, doubled on each retry.
    public var baseDelay: Double
    /// The longest single delay, `Retry-After` included (a registry asking for an hour is not waited for).
    public var maxDelay: Double
    /// The longest time spent retrying one request.
    public var maxTotal: Double

    /// Creates a policy; the defaults retry 5 times over at most a minute.
    public init(maxAttempts: Int = 6, baseDelay: Double = 0.25, maxDelay: Double = 10, maxTotal: Double = 60) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxTotal = maxTotal
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Whether a status is worth retrying.
    package static func isRetryable(status: Int) -> Bool {
        [408, 429, 500, 502, 503, 504].contains(status)
    }

    /// Whether an error is worth retrying.
    package static func isRetryable(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError { return error.isRetryable }
        if let error = error as? RegistryError { return error.isRetryable }
        return false
    }

    /// The delay before attempt `attempt + 1` (attempt counts from 1), or `nil` to stop.
    /// - Parameters:
    ///   - retryAfter: the response's `Retry-After` value, if any.
    ///   - elapsed: seconds spent on this request so far.
    package func delay(afterAttempt attempt: Int, retryAfter: String?, elapsed: Double, now: Date = Date()) -> Double? {
        guard attempt < maxAttempts else { return nil }
        var delay = baseDelay * Double(1 << min(attempt - 1, 16))
        delay *= Double.random(in: 0.8...1.2)
        if let retryAfter, let asked = Self.parseRetryAfter(retryAfter, now: now) { delay = max(delay, asked) }
        delay = min(delay, maxDelay)
        guard elapsed + delay <= maxTotal else { return nil }
        return delay
    }

    /// `Retry-After` as seconds: a number of seconds or an HTTP date.
    package static func parseRetryAfter(_ value: String, now: Date = Date()) -> Double? {
        let trimmed = value.trimmingWhitespace()
        if let seconds = Double(trimmed), seconds >= 0 { return seconds }
        // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
        let parts = trimmed.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])),
            let year = Int(parts[3])
        else { return nil }
        let time = parts[4].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3 else { return nil }
        var components = DateComponents()
        components.year = year
        components.month = month + 1
        components.day = day
        components.hour = time[0]
        components.minute = time[1]
        components.second = time[2]
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "GMT")!
        guard let date = calendar.date(from: components) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}

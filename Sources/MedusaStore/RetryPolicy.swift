import FoundationEssentials

/// medusa-js's retry rules: retry-axios 2.6.0 with Medusa's own `shouldRetryCondition`
/// (medusajs/medusa v1 packages/medusa-js/src/request.ts). Pure, so every rule is tested without a clock.
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt; total attempts = 1 + maxRetries.
    public var maxRetries: Int
    /// retry-axios's `maxRetryAfter`: a longer `Retry-After` means "do not retry".
    public static let maximumRetryAfter: Duration = .seconds(300)

    public init(maxRetries: Int) { self.maxRetries = maxRetries }

    /// 409 and 501–599 are retried; 500 deliberately not, nor any other status.
    public static func isRetryable(status: Int) -> Bool { status == 409 || (501...599).contains(status) }

    /// The exponential delay before retry `n` (1-based): ((2^n − 1) / 2) s, i.e. 0.5, 1.5, 3.5, 7.5 s ...
    public static func backoff(beforeRetry retry: Int) -> Duration {
        let exponent = Swift.min(retry, 20)
        return .milliseconds(((1 << exponent) - 1) * 500)
    }

    /// The delay before retry `retry` after a failure, or nil when the call must fail now.
    ///
    /// - Parameters:
    ///   - status: the HTTP status, or nil when no response arrived (network failure: any method).
    ///   - retryAfter: the response's `Retry-After` (seconds or an HTTP-date). When present it replaces
    ///     the backoff if 0 < value ≤ 5 min; any other value means no retry, as in retry-axios. An
    ///     empty value counts as absent: retry-axios tests the header's truthiness first.
    public func delay(beforeRetry retry: Int, status: Int?, retryAfter: String?, now: Date = Date()) -> Duration? {
        guard retry <= maxRetries else { return nil }
        if let status, !Self.isRetryable(status: status) { return nil }
        guard let retryAfter, !retryAfter.trimmingSpaces().isEmpty else { return Self.backoff(beforeRetry: retry) }
        let seconds: Double? =
            if let number = Double(retryAfter.trimmingSpaces()) { number } else {
                HTTPDate.parse(retryAfter).map { $0.timeIntervalSince(now) }
            }
        guard let seconds, seconds > 0, seconds <= 300 else { return nil }
        return .milliseconds(Int((seconds * 1000).rounded()))
    }
}

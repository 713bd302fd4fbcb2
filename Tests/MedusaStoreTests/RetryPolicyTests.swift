import Foundation
import Testing

@testable import MedusaStore

@Suite("Retry policy (medusa-js + retry-axios 2.6.0)")
struct RetryPolicyTests {
    @Test("the backoff before retry n is (2^n − 1) / 2 seconds")
    func backoff() {
        #expect(
            (1...4).map(RetryPolicy.backoff(beforeRetry:)) == [
                .milliseconds(500), .milliseconds(1500), .milliseconds(3500), .milliseconds(7500),
            ])
    }

    @Test("409 and 501–599 are retryable; 500 and other 4xx are not", arguments: [400, 401, 404, 409, 422, 500, 501, 503, 599, 600])
    func retryableStatuses(status: Int) {
        #expect(RetryPolicy.isRetryable(status: status) == (status == 409 || (501...599).contains(status)))
    }

    @Test("no retry is planned beyond maxRetries, and none at all with the default of 0")
    func respectsMaxRetries() {
        #expect(RetryPolicy(maxRetries: 0).delay(beforeRetry: 1, status: nil, retryAfter: nil) == nil)
        let policy = RetryPolicy(maxRetries: 2)
        #expect(policy.delay(beforeRetry: 2, status: 503, retryAfter: nil) == .milliseconds(1500))
        #expect(policy.delay(beforeRetry: 3, status: 503, retryAfter: nil) == nil)
    }

    @Test("Retry-After in seconds or as an HTTP date replaces the backoff when within (0, 5 min]")
    func retryAfter() {
        let policy = RetryPolicy(maxRetries: 3)
        let now = Date(timeIntervalSince1970: 784_111_777)
        #expect(policy.delay(beforeRetry: 1, status: 409, retryAfter: "2", now: now) == .seconds(2))
        #expect(policy.delay(beforeRetry: 1, status: 503, retryAfter: "0.25", now: now) == .milliseconds(250))
        #expect(policy.delay(beforeRetry: 1, status: 503, retryAfter: "Sun, 06 Nov 1994 08:49:47 GMT", now: now) == .seconds(10))
    }

    @Test("a Retry-After of zero, negative, over 5 minutes or unreadable means the call fails now", arguments: ["0", "-1", "301", "soon"])
    func retryAfterRefused(value: String) {
        #expect(RetryPolicy(maxRetries: 3).delay(beforeRetry: 1, status: 503, retryAfter: value) == nil)
    }

    @Test("an empty Retry-After counts as absent, so the backoff applies", arguments: ["", "  "])
    func emptyRetryAfter(value: String) {
        #expect(RetryPolicy(maxRetries: 3).delay(beforeRetry: 2, status: 503, retryAfter: value) == .milliseconds(1500))
    }
}

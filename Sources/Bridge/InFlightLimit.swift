import Foundation

/// Counts frames read but not yet answered (answer written, or nothing to answer), so that reading
/// stdin pauses while `limit` are outstanding (issue 2, backpressure) and shutdown can wait for zero.
///
/// An answer counts until its bytes are written, so a client that never reads stdout stalls the bridge
/// at `limit` frames instead of growing its memory.
final class InFlightLimit: Sendable {
    let limit: Int
    // NSCondition is the toolchain's blocking condition variable; the reader thread blocks on it, so
    // it cannot be an actor. `count` is only touched with the condition locked.
    private let condition = NSCondition()
    nonisolated(unsafe) private var count = 0

    init(limit: Int) { self.limit = limit }

    func acquire() {
        condition.lock()
        count += 1
        condition.unlock()
    }

    func release() {
        condition.lock()
        count -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks the reader until fewer than `limit` frames are outstanding.
    func waitUntilBelowLimit() {
        condition.lock()
        while count >= limit { condition.wait() }
        condition.unlock()
    }

    /// Blocks until nothing is outstanding or `deadline` passes; returns whether it drained.
    func waitUntilDrained(before deadline: Date) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while count > 0 {
            if !condition.wait(until: deadline) { return count == 0 }
        }
        return true
    }

    var outstanding: Int {
        condition.lock()
        defer { condition.unlock() }
        return count
    }
}

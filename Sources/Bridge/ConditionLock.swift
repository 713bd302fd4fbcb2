import Foundation

/// A value guarded by one lock with a condition to wait on: the request path's single lock.
///
/// `NSCondition` (a pthread mutex and condition variable) rather than `Mutex`, because the reader
/// thread and the shutdown drain block until the state changes (room below the limit, nothing left to
/// answer), and `Mutex` has no condition to wait on. `value` is only touched with the lock held, which
/// is what makes the type Sendable.
final class ConditionLock<Value>: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        condition.lock()
        defer { condition.unlock() }
        return try body(&value)
    }

    /// Wakes every thread in `wait`. Call it inside `withLock`, after a change a waiter may be waiting
    /// for: the waiter re-checks its condition once the lock is free.
    func wakeWaitersWhileLocked() { condition.broadcast() }

    /// Blocks until `done` holds or `deadline` passes, then runs `body` under the same lock. `done`
    /// is re-checked after every wake-up, so spurious wake-ups are harmless.
    /// `prepare` runs first, under the lock, for a change that must be visible before this thread
    /// blocks.
    func wait<Result>(
        prepare: (inout Value) -> Void = { _ in }, until done: (Value) -> Bool, before deadline: Date? = nil,
        then body: (inout Value, Bool) -> Result
    ) -> Result {
        condition.lock()
        defer { condition.unlock() }
        prepare(&value)
        while !done(value) {
            if let deadline {
                if !condition.wait(until: deadline) { break }
            } else {
                condition.wait()
            }
        }
        return body(&value, done(value))
    }
}

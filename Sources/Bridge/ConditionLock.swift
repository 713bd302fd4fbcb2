import FoundationEssentials

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// A value guarded by one lock with a condition to wait on: the request path's single lock.
///
/// A pthread mutex and condition variable rather than `Mutex`, because the reader thread and the
/// shutdown drain block until the state changes (room below the limit, nothing left to answer), and
/// `Mutex` has no condition to wait on. `value` is only touched with the lock held, which is what makes
/// the type Sendable.
final class ConditionLock<Value>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var value: Value

    init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Wakes every thread in `wait`. Call it inside `withLock`, after a change a waiter may be waiting
    /// for: the waiter re-checks its condition once the lock is free.
    func wakeWaitersWhileLocked() { pthread_cond_broadcast(condition) }

    /// Blocks until `done` holds or `deadline` passes, then runs `body` under the same lock. `done`
    /// is re-checked after every wake-up, so spurious wake-ups are harmless.
    func wait<Result>(
        until done: (Value) -> Bool, before deadline: Date? = nil, then body: (inout Value, Bool) -> Result
    ) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !done(value) {
            if let deadline {
                // pthread_cond_timedwait takes an absolute CLOCK_REALTIME time, which `Date` is.
                let seconds = deadline.timeIntervalSince1970
                var time = timespec(
                    tv_sec: Int(seconds.rounded(.down)), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1_000_000_000))
                if pthread_cond_timedwait(condition, mutex, &time) == ETIMEDOUT { break }
            } else {
                pthread_cond_wait(condition, mutex)
            }
        }
        return body(&value, done(value))
    }
}

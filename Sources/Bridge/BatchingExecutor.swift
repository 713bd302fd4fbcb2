/// An executor whose thread can put work off until it has run every job that is ready: the dispatcher
/// uses it to write the answers of calls finishing in one round of an event loop with one write(2),
/// instead of one each.
public protocol BatchingExecutor: TaskExecutor {
    /// On the executor's own thread: queues `work` to run once no job is ready, and returns true.
    /// On any other thread: returns false and does nothing.
    func deferUntilIdle(_ work: @escaping @Sendable () -> Void) -> Bool
}

/// An event loop that also waits for the protocol's descriptors, in the same wait as everything else.
/// stdin is read on the loop's own thread, so a call goes from stdin to its HTTP request with no
/// hand-off between threads (each of which costs a wake-up and moves the call's data between CPUs).
/// A full stdout is waited for there too, instead of in write(2), so a client slow to read its answers
/// never stops the loop's transfers.
public protocol StdioWatchingExecutor: BatchingExecutor {
    /// From now on, whenever `wanted()` (asked on the loop's thread before each wait) is true and
    /// `descriptor` is readable or at its end, calls `onReadable` on the loop's thread; once it
    /// returns false the descriptor is no longer watched.
    func watchInput(_ descriptor: Int32, wanted: @escaping @Sendable () -> Bool, onReadable: @escaping @Sendable () -> Bool)
    /// Makes the loop ask `wanted()` again now, when it may have become true on another thread.
    func wakeUp()
    /// On the loop's thread: runs `work` there once `descriptor` has room to write (or its reader has
    /// gone), the loop going on with everything else meanwhile. One such wait at a time.
    func whenWritable(_ descriptor: Int32, _ work: @escaping @Sendable () -> Void)
}

/// An executor whose thread can put work off until it has run every job that is ready: the dispatcher
/// uses it to write the answers of calls finishing in one round of an event loop with one write(2),
/// instead of one each.
public protocol BatchingExecutor: TaskExecutor {
    /// On the executor's own thread: queues `work` to run once no job is ready, and returns true.
    /// On any other thread: returns false and does nothing.
    func deferUntilIdle(_ work: @escaping @Sendable () -> Void) -> Bool
}

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// Starts `body` on a new detached POSIX thread: the stdin reader and the shutdown drain block in
/// `read(2)` and on a condition, which must never take one of the few threads that run Swift tasks.
/// (Foundation's `Thread` would do the same, at the cost of linking all of Foundation.)
enum DetachedThread {
    static func start(_ body: @escaping @Sendable () -> Void) {
        final class Box: Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let box = Unmanaged.passRetained(Box(body))
        var thread = pthread_t()
        let created = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<Box>.fromOpaque(context!).takeRetainedValue().body()
                return nil
            }, box.toOpaque())
        precondition(created == 0, "could not start a thread (error \(created))")
        pthread_detach(thread)
    }
}

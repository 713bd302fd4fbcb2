import Synchronization

/// How long a test waits for an event before failing: generous, because CI machines are shared; a
/// passing test never waits this long.
public let eventTimeout: Duration = .seconds(30)

public struct TimedOut: Error, CustomStringConvertible {
    public let what: String
    public init(what: String) { self.what = what }
    public var description: String { "timed out waiting for \(what)" }
}

/// A queue of events that tests await one at a time, each wait bounded by `eventTimeout`.
public final class Inbox<T: Sendable>: Sendable {
    private struct State {
        var items: [T] = []
        var waiter: (id: Int, continuation: CheckedContinuation<T, any Error>)?
        var nextID = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func put(_ item: T) {
        let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.items.append(item)
            return nil
        }
        waiter?.resume(returning: item)
    }

    /// The next item, or `TimedOut` naming `what`.
    public func next(_ what: String) async throws -> T {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        let timer = Task {
            try await Task.sleep(for: eventTimeout)
            let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
                guard state.waiter?.id == id else { return nil }
                defer { state.waiter = nil }
                return state.waiter?.continuation
            }
            waiter?.resume(throwing: TimedOut(what: what))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let item = state.withLock { state -> T? in
                if !state.items.isEmpty { return state.items.removeFirst() }
                state.waiter = (id, continuation)
                return nil
            }
            if let item { continuation.resume(returning: item) }
        }
    }

    /// Items that arrived and were not taken yet.
    public var pending: [T] { state.withLock { $0.items } }
}

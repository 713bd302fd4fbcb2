import Synchronization

/// Orders the calls of each session (issue 2, "Ordering within one session") as a FIFO
/// readers–writer lock per session: an exclusive call (authenticate, getToken, deleteSession,
/// session.clear) waits for every earlier call of its session and holds back every later one; shared
/// calls overlap. Sessions never wait for each other.
///
/// `enter` is called on the reader thread in arrival order, which is what makes the order the
/// client's; `wait` and `leave` are called by the call's task. All state lives behind one mutex and
/// no lock is held across a suspension.
public final class SessionGate: Sendable {
    public struct Ticket: Sendable, Hashable {
        let session: String
        let serial: UInt64
    }

    private struct Entry {
        let serial: UInt64
        let exclusive: Bool
        var admitted = false
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private struct State {
        var queues: [String: [Entry]] = [:]
        var nextSerial: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Queues a call behind the earlier calls of its session.
    public func enter(_ use: SessionUse) -> Ticket {
        state.withLock { state in
            state.nextSerial += 1
            state.queues[use.session, default: []].append(Entry(serial: state.nextSerial, exclusive: use.exclusive))
            admitEligible(in: &state, session: use.session)
            return Ticket(session: use.session, serial: state.nextSerial)
        }
    }

    /// Suspends until the call may start. Returns false when its task was cancelled while waiting; the
    /// ticket has then already left the queue.
    public func wait(_ ticket: Ticket) async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let resumeNow: Bool? = state.withLock { state in
                    guard let index = state.queues[ticket.session]?.firstIndex(where: { $0.serial == ticket.serial }) else {
                        return false
                    }
                    if state.queues[ticket.session]![index].admitted { return true }
                    state.queues[ticket.session]![index].waiter = continuation
                    return nil
                }
                if let resumeNow { continuation.resume(returning: resumeNow) }
            }
        } onCancel: {
            abandon(ticket)
        }
    }

    /// Marks the call finished and starts the calls it was holding back. Safe to call twice.
    public func leave(_ ticket: Ticket) {
        let ready = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            // Taken out of the table so that changing it does not copy it (copy-on-write).
            guard var queue = state.queues.removeValue(forKey: ticket.session) else { return [] }
            queue.removeAll { $0.serial == ticket.serial }
            state.queues[ticket.session] = queue.isEmpty ? nil : queue
            return admitEligible(in: &state, session: ticket.session)
        }
        for waiter in ready { waiter.resume(returning: true) }
    }

    /// The number of calls queued or running in `session` (for tests and diagnostics).
    public func depth(of session: String) -> Int { state.withLock { $0.queues[session]?.count ?? 0 } }

    private func abandon(_ ticket: Ticket) {
        let (abandoned, ready) = state.withLock { state -> (CheckedContinuation<Bool, Never>?, [CheckedContinuation<Bool, Never>]) in
            guard var queue = state.queues.removeValue(forKey: ticket.session) else { return (nil, []) }
            guard let index = queue.firstIndex(where: { $0.serial == ticket.serial }), !queue[index].admitted
            else {
                state.queues[ticket.session] = queue
                return (nil, [])
            }
            let waiter = queue[index].waiter
            queue.remove(at: index)
            state.queues[ticket.session] = queue.isEmpty ? nil : queue
            return (waiter, admitEligible(in: &state, session: ticket.session))
        }
        abandoned?.resume(returning: false)
        for waiter in ready { waiter.resume(returning: true) }
    }

    /// Admits, front to back, every entry allowed to run; returns the waiters to resume outside the lock.
    @discardableResult
    private func admitEligible(in state: inout State, session: String) -> [CheckedContinuation<Bool, Never>] {
        guard var queue = state.queues.removeValue(forKey: session) else { return [] }
        var ready: [CheckedContinuation<Bool, Never>] = []
        for index in queue.indices {
            let entry = queue[index]
            if entry.exclusive && index > 0 { break }
            if !entry.admitted {
                queue[index].admitted = true
                if let waiter = entry.waiter {
                    ready.append(waiter)
                    queue[index].waiter = nil
                }
            }
            if entry.exclusive { break }
        }
        state.queues[session] = queue
        return ready
    }
}

import Synchronization

/// Orders the calls of each session (issue 2, "Ordering within one session") as a FIFO
/// readers–writer lock per session: an exclusive call (authenticate, getToken, deleteSession,
/// session.clear) waits for every earlier call of its session and holds back every later one; shared
/// calls overlap. Sessions never wait for each other.
///
/// `enter` is called on the reader thread in arrival order, which is what makes the order the
/// client's; `wait` and `leave` are called by the call's task. All state lives behind one mutex and
/// no lock is held across a suspension. A call that may start at once costs a set insertion: only
/// calls that must wait are queued (a queue scanned on every call cost 11 % of a call's instructions
/// with 64 in flight).
public final class SessionGate: Sendable {
    public struct Ticket: Sendable, Hashable {
        let session: String
        let serial: UInt64
    }

    private struct Waiting {
        let serial: UInt64
        let exclusive: Bool
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private struct Session {
        /// Calls admitted and not yet finished.
        var running: Set<UInt64> = []
        /// Whether the one running call is exclusive.
        var exclusiveRunning = false
        /// Calls not admitted yet, in arrival order.
        var waiting: [Waiting] = []

        var isIdle: Bool { running.isEmpty && waiting.isEmpty }

        /// Whether a call arriving now (or at the head of `waiting`) may start.
        func mayStart(exclusive: Bool) -> Bool {
            exclusive ? running.isEmpty : !exclusiveRunning
        }

        mutating func admit(_ serial: UInt64, exclusive: Bool) {
            running.insert(serial)
            if exclusive { exclusiveRunning = true }
        }

        /// Admits waiting calls from the front while the rules allow; returns their waiters.
        mutating func admitWaiting() -> [CheckedContinuation<Bool, Never>] {
            var ready: [CheckedContinuation<Bool, Never>] = []
            var admitted = 0
            for entry in waiting {
                guard mayStart(exclusive: entry.exclusive) else { break }
                admit(entry.serial, exclusive: entry.exclusive)
                admitted += 1
                if let waiter = entry.waiter { ready.append(waiter) }
                if entry.exclusive { break }
            }
            waiting.removeFirst(admitted)
            return ready
        }
    }

    private struct State {
        var sessions: [String: Session] = [:]
        var nextSerial: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Queues a call behind the earlier calls of its session, or admits it at once.
    public func enter(_ use: SessionUse) -> Ticket {
        state.withLock { state in
            state.nextSerial += 1
            let serial = state.nextSerial
            var session = state.sessions.removeValue(forKey: use.session) ?? Session()
            if session.waiting.isEmpty && session.mayStart(exclusive: use.exclusive) {
                session.admit(serial, exclusive: use.exclusive)
            } else {
                session.waiting.append(Waiting(serial: serial, exclusive: use.exclusive))
            }
            state.sessions[use.session] = session
            return Ticket(session: use.session, serial: serial)
        }
    }

    /// Suspends until the call may start. Returns false when its task was cancelled while waiting; the
    /// ticket has then already left the queue.
    public func wait(_ ticket: Ticket) async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let resumeNow: Bool? = state.withLock { state in
                    guard let session = state.sessions[ticket.session] else { return false }
                    if session.running.contains(ticket.serial) { return true }
                    guard let index = session.waiting.firstIndex(where: { $0.serial == ticket.serial }) else { return false }
                    state.sessions[ticket.session]!.waiting[index].waiter = continuation
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
            guard var session = state.sessions.removeValue(forKey: ticket.session) else { return [] }
            if session.running.remove(ticket.serial) != nil && session.running.isEmpty {
                session.exclusiveRunning = false
            }
            let ready = session.admitWaiting()
            if !session.isIdle { state.sessions[ticket.session] = session }
            return ready
        }
        for waiter in ready { waiter.resume(returning: true) }
    }

    /// The number of calls queued or running in `session` (for tests and diagnostics).
    public func depth(of session: String) -> Int {
        state.withLock { state in state.sessions[session].map { $0.running.count + $0.waiting.count } ?? 0 }
    }

    /// A cancelled call that is still waiting leaves the queue; one already admitted runs on (its task
    /// sees the cancellation) and leaves as usual.
    private func abandon(_ ticket: Ticket) {
        let (abandoned, ready) = state.withLock { state -> (CheckedContinuation<Bool, Never>?, [CheckedContinuation<Bool, Never>]) in
            guard var session = state.sessions.removeValue(forKey: ticket.session) else { return (nil, []) }
            defer { if !session.isIdle { state.sessions[ticket.session] = session } }
            guard let index = session.waiting.firstIndex(where: { $0.serial == ticket.serial }) else { return (nil, []) }
            let waiter = session.waiting.remove(at: index).waiter
            return (waiter, session.admitWaiting())
        }
        abandoned?.resume(returning: false)
        for waiter in ready { waiter.resume(returning: true) }
    }
}

/// The order of one session's calls: a FIFO readers–writer lock over call serials.
///
/// A state-changing (exclusive) call starts after every earlier call of its session has finished, and
/// no later call starts before it finishes; other (shared) calls overlap. Calls arrive in the client's
/// order because the reader registers them in arrival order. A pure value, kept by `RequestPath`
/// under its lock: admitting a call means handing it on to be started, never resuming a task.
struct SessionLine: Sendable {
    private struct Waiting: Sendable {
        let serial: UInt64
        let exclusive: Bool
    }

    /// Calls admitted and not finished.
    private(set) var admitted = 0
    /// Whether the one admitted call is exclusive.
    private var exclusiveAdmitted = false
    /// Calls not admitted yet, in arrival order; `head` is the first live entry (a queue without
    /// shifting the array on every admission).
    private var waiting: [Waiting] = []
    private var head = 0

    var isIdle: Bool { admitted == 0 && head == waiting.count }
    var waitingCount: Int { waiting.count - head }
    /// Whether a shared call arriving now would be admitted at once: no state change is running or
    /// waiting, so the session's state is what every earlier call left it.
    var admitsSharedNow: Bool { head == waiting.count && !exclusiveAdmitted }

    private func mayStart(exclusive: Bool) -> Bool { exclusive ? admitted == 0 : !exclusiveAdmitted }

    /// A call arrives; true when it is admitted at once, else it waits its turn.
    mutating func arrive(_ serial: UInt64, exclusive: Bool) -> Bool {
        if head == waiting.count && mayStart(exclusive: exclusive) {
            admit(exclusive: exclusive)
            return true
        }
        waiting.append(Waiting(serial: serial, exclusive: exclusive))
        return false
    }

    /// An admitted call finished; returns the calls this admits, in order.
    mutating func leave(exclusive: Bool) -> [UInt64] {
        admitted -= 1
        if exclusive || admitted == 0 { exclusiveAdmitted = false }
        return admitWaiting()
    }

    /// A call that was never admitted is withdrawn (cancelled while waiting); returns the calls its
    /// departure admits. False in the first member when it was not waiting.
    mutating func withdraw(_ serial: UInt64) -> (found: Bool, admitted: [UInt64]) {
        guard let index = waiting[head...].firstIndex(where: { $0.serial == serial }) else { return (false, []) }
        waiting.remove(at: index)
        return (true, admitWaiting())
    }

    private mutating func admit(exclusive: Bool) {
        admitted += 1
        if exclusive { exclusiveAdmitted = true }
    }

    private mutating func admitWaiting() -> [UInt64] {
        var ready: [UInt64] = []
        while head < waiting.count, mayStart(exclusive: waiting[head].exclusive) {
            let entry = waiting[head]
            head += 1
            admit(exclusive: entry.exclusive)
            ready.append(entry.serial)
            if entry.exclusive { break }
        }
        if head == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            head = 0
        }
        return ready
    }
}

import JSON
import JSONRPC
import MedusaStore

/// Everything the request path knows between reading a frame and writing its answer: the calls and
/// their stage, each session's line, the calls waiting for a slot, the answers not yet written, and
/// the phase of shutdown. One value behind the dispatcher's one lock, so every rule below holds in one
/// place instead of across several types that each guard a part.
///
/// Invariants (checked by `DispatcherTests` and `RequestPathTests`):
/// - `outstanding` counts calls (a batch's elements one by one, a message without calls as one) from
///   the moment they are read until their answer is written, or until they finish when there is
///   nothing to write. The reader reads only while it is below `Limits.maximumOutstanding`.
/// - At most `Limits.maximumRunning` calls have a task; the others wait unstarted, costing only their
///   decoded params.
/// - A call is in exactly one of: waiting in its session's line, `ready` (admitted, waiting for a
///   slot), or running; it leaves `calls` exactly once, with its answer. (A `session.list` waits in
///   several lines at once and never runs: it is answered when the last of them admits it.)
/// - At most one thread writes to stdout at a time (`writing`); answers finished meanwhile wait in
///   `unwritten` and that thread writes them before it lets go.
/// - A `session.list` (`listings`) waits in the line of each session with a state change running or
///   waiting when it is read, as a shared call; it summarises that session when the line admits it and
///   leaves at once, so it never holds a later call back nor makes sessions wait for each other.
struct RequestPathState {
    enum Phase: Sendable, Equatable {
        /// Reading stdin and starting calls.
        case serving
        /// stdin ended: nothing more is read; calls already read still start and finish.
        case draining
        /// SIGTERM or SIGINT: nothing new starts; calls that never started are answered -32800.
        case stopping
        /// The process is exiting: nothing more is handled or written.
        case exiting
    }

    enum Stage {
        case waitingForSession
        /// Admitted by its session, waiting for one of the running slots.
        case ready
        case running(Running)
    }

    /// How a running call is cancelled.
    enum Running {
        case task(Task<Void, Never>)
        /// A call of one exchange, started without a task (`BridgeMethod.start`).
        case exchange(@Sendable () -> Void)

        func cancel() {
            switch self {
            case .task(let task): task.cancel()
            case .exchange(let cancel): cancel()
            }
        }
    }

    struct Call {
        let method: any BridgeMethod
        let id: RequestID?
        let answer: Destination
        var stage: Stage
    }

    /// Where a call's answer goes.
    enum Destination {
        /// A message of its own (one unit of `outstanding`), answered as it was framed.
        case single(Framing)
        /// Its place in the answer of the batch registered as `batch`.
        case batch(UInt64, index: Int)
    }

    /// A batch with calls not all finished. A message of its own needs none: its call is its frame.
    struct Batch {
        let framing: Framing
        /// What the batch counts in `outstanding`.
        let units: Int
        /// A batch's answers in request order; answers the dispatcher gave without running a call
        /// (invalid elements, `ping`) are filled in when the frame is registered.
        var responses: [Response?]
        var remaining: Int
    }

    /// An answer ready for stdout, framed, and what it releases from `outstanding` once written.
    struct Write {
        var bytes: [UInt8]
        var units: Int
    }

    /// What finishing a call left to do outside the lock.
    enum Completion {
        /// The batch's answers, to encode.
        case batch([Response], Batch)
        /// The answer to a message of its own.
        case single(Response, Framing)
        /// Nothing to write (notifications only): these units are to be released.
        case nothing(units: Int)
    }

    var phase = Phase.serving
    var outstanding = 0
    /// The reader has read bytes it has not finished handing over; shutdown waits for it.
    var readerHandling = false
    /// Threads blocked in `ConditionLock.wait` (the reader, the drain); wake-ups are skipped without.
    var waiters = 0
    var nextSerial: UInt64 = 0
    var calls: [UInt64: Call] = [:]
    var batches: [UInt64: Batch] = [:]
    /// Calls with an id, for `$/cancelRequest`: the first running or waiting call with each id, and
    /// the later ones apart (JSON-RPC leaves duplicate ids to the client; a cancel reaches every call
    /// with the id). Apart, so that the usual unique id costs no array.
    var byID: [RequestID: UInt64] = [:]
    var duplicateIDs: [RequestID: [UInt64]] = [:]
    var sessions: [String: SessionLine] = [:]
    /// Admitted calls waiting for a slot, oldest first from `readyHead`. Calls cancelled meanwhile are
    /// skipped when they reach the front.
    var ready: [UInt64] = []
    var readyHead = 0
    var running = 0
    var writing = false
    var unwritten: [Write] = []
    /// Set when the process is about to exit and a write stopped waiting for the reader between two
    /// messages: nothing of a message is left half written (see `Dispatcher.closeOutput`).
    var parkedBetweenMessages = false
    /// Where `session.list` reads the sessions (nil: no listing is ever summarised, for tests of the
    /// lines alone).
    var store: SessionStore?
    /// `session.list` calls not answered yet.
    var listings: [UInt64: Listing] = [:]

    /// A `session.list` gathering its summaries.
    struct Listing {
        var summaries: [SessionSummary]
        /// Sessions whose earlier state changes it still waits for.
        var pending: Set<String>
    }

    init(store: SessionStore? = nil) { self.store = store }

    mutating func serial() -> UInt64 {
        nextSerial += 1
        return nextSerial
    }

    mutating func popReady() -> UInt64? {
        while readyHead < ready.count {
            let serial = ready[readyHead]
            readyHead += 1
            if readyHead == ready.count {
                ready.removeAll(keepingCapacity: true)
                readyHead = 0
            }
            if let call = calls[serial], case .ready = call.stage { return serial }
        }
        return nil
    }

    mutating func index(_ id: RequestID?, _ serial: UInt64) {
        guard let id else { return }
        if byID[id] == nil { byID[id] = serial } else { duplicateIDs[id, default: []].append(serial) }
    }

    /// Every call with `id`, oldest first.
    func serials(for id: RequestID) -> [UInt64] {
        guard let first = byID[id] else { return [] }
        return [first] + (duplicateIDs[id] ?? [])
    }

    mutating func unindex(_ id: RequestID?, _ serial: UInt64) {
        guard let id else { return }
        // The usual case, an id used once: one lookup (each hashes the id).
        if duplicateIDs.isEmpty {
            if let first = byID.removeValue(forKey: id), first != serial { byID[id] = first }
            return
        }
        if byID[id] == serial {
            // The next call with the id, if any, becomes the first.
            if var later = duplicateIDs.removeValue(forKey: id) {
                byID[id] = later.removeFirst()
                if !later.isEmpty { duplicateIDs[id] = later }
            } else {
                byID[id] = nil
            }
        } else if var later = duplicateIDs.removeValue(forKey: id) {
            later.removeAll { $0 == serial }
            if !later.isEmpty { duplicateIDs[id] = later }
        }
    }

    /// Removes a finished call and records its answer. Returns the calls its session now admits, and
    /// its frame's completion when this was the frame's last call.
    mutating func finish(_ serial: UInt64, _ response: Response?) -> (admitted: [UInt64], completion: Completion?) {
        guard let call = calls.removeValue(forKey: serial) else { return ([], nil) }
        unindex(call.id, serial)
        var admitted: [UInt64] = []
        var wasAdmitted = true
        switch call.stage {
        case .running: running -= 1
        case .ready: break
        case .waitingForSession: wasAdmitted = false
        }
        // Through indices, so that each dictionary hashes its key once.
        if let use = call.method.sessionUse, let line = sessions.index(forKey: use.session) {
            if wasAdmitted {
                admitted = sessions.values[line].leave(exclusive: use.exclusive)
            } else {
                admitted = sessions.values[line].withdraw(serial).admitted
            }
            // Listings only change the line's value, so `line` stays valid.
            if !listings.isEmpty { admitted = admittedBy(use.session, admitted) }
            if sessions.values[line].isIdle { sessions.remove(at: line) }
        } else if !listings.isEmpty, let listing = listings.removeValue(forKey: serial) {
            // Answered or cancelled before every session it waited in came to its turn.
            for name in listing.pending {
                guard let line = sessions.index(forKey: name) else { continue }
                admitted += admittedBy(name, sessions.values[line].withdraw(serial).admitted)
                if let line = sessions.index(forKey: name), sessions.values[line].isIdle { sessions.remove(at: line) }
            }
        }
        switch call.answer {
        case .single(let framing):
            return (admitted, response.map { .single($0, framing) } ?? .nothing(units: 1))
        case .batch(let batch, let index):
            let place = batches.index(forKey: batch)!
            batches.values[place].responses[index] = response
            batches.values[place].remaining -= 1
            guard batches.values[place].remaining == 0 else { return (admitted, nil) }
            let finished = batches.remove(at: place).value
            let responses = finished.responses.compactMap { $0 }
            if responses.isEmpty { return (admitted, .nothing(units: finished.units)) }
            return (admitted, .batch(responses, finished))
        }
    }

    /// A `session.list` read now: sessions with no state change running or waiting are summarised at
    /// once; in each other session it waits, as a shared call, for the changes read before it. True
    /// when it has every summary already.
    mutating func registerListing(_ serial: UInt64) -> Bool {
        var pending: Set<String> = []
        for line in sessions.indices where !sessions.values[line].admitsSharedNow {
            let name = sessions.keys[line]
            _ = sessions.values[line].arrive(serial, exclusive: false)
            pending.insert(name)
        }
        let now = store?.summaries() ?? []
        listings[serial] = Listing(summaries: now.filter { !pending.contains($0.name) }, pending: pending)
        return pending.isEmpty
    }

    /// The calls session `name`'s line admitted, less the listings among them: each of those takes its
    /// summary of the session now, before any later call of the session can start, and leaves the line
    /// at once (which may admit more). A listing with every summary is returned, to be answered.
    private mutating func admittedBy(_ name: String, _ serials: [UInt64]) -> [UInt64] {
        var ready: [UInt64] = []
        var queue = serials[...]
        while let serial = queue.popFirst() {
            guard let place = listings.index(forKey: serial) else {
                ready.append(serial)
                continue
            }
            if let summary = store?.summaries().first(where: { $0.name == name }) {
                listings.values[place].summaries.append(summary)
            }
            listings.values[place].pending.remove(name)
            if listings.values[place].pending.isEmpty { ready.append(serial) }
            if let line = sessions.index(forKey: name) { queue.append(contentsOf: sessions.values[line].leave(exclusive: false)) }
        }
        return ready
    }
}

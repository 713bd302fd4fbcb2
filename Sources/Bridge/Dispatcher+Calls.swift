import JSON
import JSONRPC

/// Starting, finishing and cancelling calls. Every `…Locked` function runs inside `state.withLock`.
extension Dispatcher {
    /// Calls their sessions admitted: to `ready`, then started while slots are free. While stopping,
    /// nothing new starts: they are answered -32800 instead (and whatever their departure admits too).
    func admitLocked(_ state: inout RequestPathState, _ serials: [UInt64]) {
        var work = serials
        var next = 0
        while next < work.count {
            let serial = work[next]
            next += 1
            work.append(contentsOf: readyLocked(&state, serial))
        }
        startReadyLocked(&state)
    }

    /// `admitLocked` for one call (a call read and admitted by its session at once, the usual case),
    /// without making an array of it.
    func admitLocked(_ state: inout RequestPathState, _ serial: UInt64) {
        let abandoned = readyLocked(&state, serial)
        if abandoned.isEmpty { startReadyLocked(&state) } else { admitLocked(&state, abandoned) }
    }

    /// Moves an admitted call to `ready`, or while stopping answers it -32800 and returns the calls its
    /// departure admits.
    private func readyLocked(_ state: inout RequestPathState, _ serial: UInt64) -> [UInt64] {
        if state.listings[serial] != nil { return listLocked(&state, serial) }
        if state.phase == .stopping || state.phase == .exiting { return abandonLocked(&state, serial) }
        if let place = state.calls.index(forKey: serial) {
            state.calls.values[place].stage = .ready
            state.ready.append(serial)
        }
        return []
    }

    func startReadyLocked(_ state: inout RequestPathState) {
        while state.running < limits.maximumRunning, let serial = state.popReady() { startLocked(&state, serial) }
    }

    /// Creates the call's task under the lock, so its handle is stored before the task can finish.
    private func startLocked(_ state: inout RequestPathState, _ serial: UInt64) {
        guard let place = state.calls.index(forKey: serial) else { return }
        let call = state.calls.values[place]
        let single: Framing? = if case .single(let framing) = call.answer { framing } else { nil }
        let method = call.method
        let id = call.id
        let context = self.context
        // A call of one exchange starts without a task: its transfer's completion answers it, on the
        // HTTP loop, in a later round (never inside this lock). The others run in a task.
        let exchange = method.start(in: context) { outcome in
            self.completed(serial, id.map { Response(id: $0, outcome: outcome) }, single: single)
        }
        if let exchange {
            state.calls.values[place].stage = .running(.exchange(exchange))
            state.running += 1
            return
        }
        // `@concurrent`: the task runs on its own executor (the loop, when there is one), which is what a
        // task's operation does; the async functions it calls then run on that same executor without a
        // hop each (the package builds with NonisolatedNonsendingByDefault).
        let work: @Sendable @concurrent () async -> Void = {
            // The outcome is what the work did: a call whose work finished is answered with it even
            // when a cancel arrived meanwhile (a login that happened must not be reported as undone).
            // Only work that was actually abandoned throws a cancellation, which becomes -32800.
            let outcome: Result<JSONValue, ResponseError>
            do {
                outcome = .success(try await method.run(in: context))
            } catch {
                outcome = .failure(ResponseError.from(error))
            }
            self.completed(serial, id.map { Response(id: $0, outcome: outcome) }, single: single)
        }
        // `Task(executorPreference: nil)` still records a preference, and the runtime then takes the
        // task's status-record lock at every suspension to look it up (13 of 25 mutex acquisitions
        // per `auth.exists`, measured with uprobes): only state a preference when there is one.
        let task = executor.map { Task(executorPreference: $0, operation: work) } ?? Task(operation: work)
        state.calls.values[place].stage = .running(.task(task))
        state.running += 1
    }

    /// A call's task finished: record the answer, start what it held back, and write the frame's answer
    /// on this thread when nothing else is being written.
    private func completed(_ serial: UInt64, _ response: Response?, single framing: Framing?) {
        // A lone call's answer is encoded before the lock is taken; a batch's once it is complete.
        let encoded = framing.flatMap { framing in response.map { framing.frame(Response.encode([$0], asBatch: false)) } }
        var batch: ([Response], RequestPathState.Batch)?
        let claimed = state.withLock { state -> [RequestPathState.Write]? in
            let (admitted, completion) = state.finish(serial, response)
            if case .batch(let responses, let finished)? = completion {
                batch = (responses, finished)
            } else if case .single? = completion, let encoded {
                state.unwritten.append(.init(bytes: encoded, units: 1))
            } else if let completion {
                completeLocked(&state, completion)
            }
            admitLocked(&state, admitted)
            return claimLocked(&state)
        }
        if let claimed { flush(claimed) }
        if let (responses, finished) = batch {
            deliver(finished.framing.frame(Response.encode(responses, asBatch: true)), units: finished.units, counted: true)
        }
    }

    /// Answers a `session.list` that has every session's summary (no task: there is nothing to wait for).
    private func listLocked(_ state: inout RequestPathState, _ serial: UInt64) -> [UInt64] {
        guard let call = state.calls[serial], let listing = state.listings[serial] else { return [] }
        let result = SessionList.result(listing.summaries)
        let (admitted, completion) = state.finish(serial, call.id.map { Response(id: $0, outcome: .success(result)) })
        if let completion { completeLocked(&state, completion) }
        return admitted
    }

    /// Finishes a call that never started with -32800; returns the calls its departure admits.
    func abandonLocked(_ state: inout RequestPathState, _ serial: UInt64) -> [UInt64] {
        guard let call = state.calls[serial] else { return [] }
        let (admitted, completion) = state.finish(serial, call.id.map { Response.failure($0, .requestCancelled) })
        if let completion { completeLocked(&state, completion) }
        return admitted
    }

    /// A finished frame's answer joins the answers to write (encoded under the lock: this path only
    /// serves cancellations, notifications and `session.list`, whose answer is small).
    func completeLocked(_ state: inout RequestPathState, _ completion: RequestPathState.Completion) {
        switch completion {
        case .batch(let responses, let batch):
            state.unwritten.append(.init(bytes: batch.framing.frame(Response.encode(responses, asBatch: true)), units: batch.units))
        case .single(let response, let framing):
            state.unwritten.append(.init(bytes: framing.frame(Response.encode([response], asBatch: false)), units: 1))
        case .nothing(let units):
            releaseLocked(&state, units)
        }
    }

    /// `$/cancelRequest`: a call not started yet is answered -32800 at once; a running one has its task
    /// cancelled or its exchange aborted, which ends its HTTP exchange, and answers with what that leaves.
    func cancel(_ id: RequestID) {
        let (running, claimed) = state.withLock { state in
            let serials = state.serials(for: id)
            return (cancelLocked(&state, serials), claimLocked(&state))
        }
        if running.isEmpty && claimed == nil { context.logger.debug("cancel for \(id): no such request running") }
        for call in running { call.cancel() }
        if let claimed { flush(claimed) }
    }

    /// Abandons every call (shutdown after the grace period): each is answered -32800 unless its work
    /// finishes first.
    public func cancelAll() {
        let (running, claimed) = state.withLock { state in
            (cancelLocked(&state, Array(state.calls.keys).sorted()), claimLocked(&state))
        }
        for call in running { call.cancel() }
        if let claimed { flush(claimed) }
    }

    /// Answers the unstarted calls among `serials` -32800; returns the running ones, to cancel once the
    /// lock is released (a cancellation handler may take locks of its own, and an exchange's abort
    /// answers the call).
    func cancelLocked(_ state: inout RequestPathState, _ serials: [UInt64]) -> [RequestPathState.Running] {
        var running: [RequestPathState.Running] = []
        var admitted: [UInt64] = []
        for serial in serials {
            switch state.calls[serial]?.stage {
            case .running(let call)?: running.append(call)
            case .ready?, .waitingForSession?: admitted += abandonLocked(&state, serial)
            case nil: break
            }
        }
        admitLocked(&state, admitted)
        return running
    }
}

import FoundationEssentials

/// The reader's backpressure and the phases of shutdown (end of input, SIGTERM/SIGINT, exit), as seen
/// by `StdioServer`.
extension Dispatcher {
    /// Blocks the reader while `Limits.maximumOutstanding` calls are unanswered; false when it must
    /// stop reading (a signal came).
    func waitForRoom() -> Bool {
        state.wait(
            until: { $0.outstanding < limits.maximumOutstanding || $0.phase != .serving },
            then: { state, _ in state.phase == .serving })
    }

    /// Whether a reader on an event loop should read now: the same rule `waitForRoom` waits for.
    var wantsInput: Bool {
        state.withLock { $0.phase == .serving && $0.outstanding < limits.maximumOutstanding }
    }

    /// The reader handed over what it read (the end of what `chunkRead` began).
    func chunkHandled() {
        state.withLock { state in
            state.readerHandling = false
            if state.phase != .serving { wakeWaitersIfIdle(state) }
        }
    }

    /// The reader read bytes: shutdown waits until they are handed over. False when the process is
    /// already exiting (they arrived after the last answer was written).
    func chunkRead() -> Bool {
        state.withLock { state in
            guard state.phase != .exiting else { return false }
            state.readerHandling = true
            return true
        }
    }

    /// stdin ended and its last bytes are handed over. True when the reader is to drain and exit;
    /// false when a signal's drain already does.
    func endOfInput() -> Bool {
        state.withLock { state in
            state.readerHandling = false
            wakeWaitersIfIdle(state)
            guard state.phase == .serving else { return false }
            state.phase = .draining
            return true
        }
    }

    /// SIGTERM or SIGINT: stop reading and answer every call that has not started -32800 now, and so
    /// every running call whose request still waits for a connection (the transport abandons what it
    /// has not sent); calls whose requests are out go on until `waitUntilAnswered` gives up on them.
    func beginShutdown() {
        context.medusa.transport.abandonUnsent()
        let claimed = state.withLock { state -> [RequestPathState.Write]? in
            guard state.phase == .serving || state.phase == .draining else { return nil }
            state.phase = .stopping
            let unstarted = state.calls.compactMap { serial, call -> UInt64? in
                if case .running = call.stage { return nil }
                return serial
            }
            _ = cancelLocked(&state, unstarted.sorted())
            self.state.wakeWaitersWhileLocked()
            return claimLocked(&state)
        }
        if let claimed { flush(claimed) }
    }

    /// Waits until every call read is answered and the reader holds nothing, or `deadline`. When it
    /// returns true the path is closed: anything read later is dropped, as it would be after exit.
    func waitUntilAnswered(before deadline: Date) -> Bool {
        state.wait(
            until: { $0.outstanding == 0 && !$0.readerHandling }, before: deadline,
            then: { state, done in
                if done { exitLocked(&state) }
                return done
            })
    }

    /// The process is about to exit: nothing more is handled, and no answer starts being written.
    /// Returns the answers left unwritten (counted as calls), which are dropped whole.
    func close() -> Int {
        state.withLock { state in
            exitLocked(&state)
            return state.outstanding
        }
    }

    /// After `close`: waits until no message is half written on stdout, the writer having finished the
    /// one it was in the middle of, or `deadline` (a reader that takes nothing). True when stdout ends
    /// on a whole message.
    func waitForWholeMessage(before deadline: Date) -> Bool {
        state.wait(until: { !$0.writing || $0.parkedBetweenMessages }, before: deadline, then: { _, done in done })
    }

    private func exitLocked(_ state: inout RequestPathState) {
        state.phase = .exiting
        exiting.store(true, ordering: .relaxed)
    }

    /// The number of calls read and not yet answered (for the log).
    var outstandingCount: Int { state.withLock { $0.outstanding } }

    private func wakeWaitersIfIdle(_ state: RequestPathState) {
        if state.outstanding == 0 { self.state.wakeWaitersWhileLocked() }
    }
}

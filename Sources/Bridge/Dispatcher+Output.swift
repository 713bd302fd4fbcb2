import FoundationEssentials
import JSONRPC

/// Writing answers: whichever thread has one writes it, unless another is writing, in which case the
/// answer waits in `unwritten` and that thread writes it before it lets go of stdout. No thread ever
/// waits for another to write, and the lock is never held during a write.
extension Dispatcher {
    /// Queues a framed answer and writes it (with any others waiting) when stdout is free.
    /// - Parameter counted: whether its units are already in `outstanding` (a registered frame's are;
    ///   an answer given at once is counted here, so shutdown waits for its write).
    func deliver(_ bytes: [UInt8], units: Int, counted: Bool) {
        let claimed = state.withLock { state -> [RequestPathState.Write]? in
            guard state.phase != .exiting else { return nil }
            if !counted { state.outstanding += units }
            state.unwritten.append(.init(bytes: bytes, units: units))
            return claimLocked(&state)
        }
        if let claimed { flush(claimed) }
    }

    /// Takes the writer's role and the answers waiting, when no thread is writing.
    func claimLocked(_ state: inout RequestPathState) -> [RequestPathState.Write]? {
        guard !state.writing, !state.unwritten.isEmpty, state.phase != .exiting else { return nil }
        state.writing = true
        defer { state.unwritten = [] }
        return state.unwritten
    }

    /// Writes `writes`, then whatever was queued meanwhile, then lets go of stdout. On the HTTP loop's
    /// thread the write waits until the loop has run every job ready, so that the answers of calls
    /// finishing in one round leave in one write(2) (the writer's role is kept meanwhile: answers
    /// finished elsewhere queue behind it).
    func flush(_ writes: [RequestPathState.Write]) {
        let deferred = batching?.deferUntilIdle {
            // With the answers that finished in the same round, queued behind this one meanwhile.
            let more = self.state.withLock { state in
                defer { state.unwritten = [] }
                return state.unwritten
            }
            self.writeOut(writes + more)
        }
        if deferred != true { writeOut(writes) }
    }

    private func writeOut(_ writes: [RequestPathState.Write]) {
        var batch = writes
        while true {
            var bytes = batch[0].bytes
            for write in batch.dropFirst() { bytes.append(contentsOf: write.bytes) }
            if context.logger.isEnabled(.trace) {
                for write in batch { context.logger.trace("-> \(Redaction.describe(Self.payload(of: write.bytes)))") }
            }
            output(bytes)
            let units = batch.reduce(0) { $0 + $1.units }
            let next = state.withLock { state -> [RequestPathState.Write]? in
                releaseLocked(&state, units)
                guard !state.unwritten.isEmpty, state.phase != .exiting else {
                    state.writing = false
                    return nil
                }
                defer { state.unwritten = [] }
                return state.unwritten
            }
            guard let next else { return }
            batch = next
        }
    }

    /// Calls answered: wakes the reader when this makes room below the limit, and the drain when
    /// nothing is left.
    func releaseLocked(_ state: inout RequestPathState, _ units: Int) {
        let before = state.outstanding
        state.outstanding -= units
        if state.outstanding == 0 || (before >= limits.maximumOutstanding && state.outstanding < limits.maximumOutstanding) {
            self.state.wakeWaitersWhileLocked()
            // A reader on the event loop waits in the loop's poll, which it left out of while full.
            inputLoop?.wakeUp()
        }
    }

    /// The message inside a framed answer, for the trace log: after LSP's header block, or before
    /// NDJSON's newline.
    private static func payload(of framed: [UInt8]) -> [UInt8] {
        let separator: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        if framed.first == UInt8(ascii: "C"), let range = framed.firstRange(of: separator) { return Array(framed[range.upperBound...]) }
        return Array(framed.dropLast())
    }
}

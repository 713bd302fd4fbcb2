import FoundationEssentials
import JSONRPC

/// Writing answers: whichever thread has one writes it, unless another is writing, in which case the
/// answer waits in `unwritten` and that thread writes it before it lets go of stdout. No thread ever
/// waits for another to write, the lock is never held during a write, and the HTTP loop's thread never
/// waits for the reader of stdout.
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
            self.writeOut(self.joined(writes + more), from: 0, onLoop: true)
        }
        if deferred != true { writeOut(joined(writes), from: 0, onLoop: false) }
    }

    /// Writes `out` from `offset`, releases its units once all of it is out, then writes what was
    /// queued meanwhile, and lets go of stdout. On the loop's thread it never waits for the reader: when
    /// stdout is full, the loop goes on with its transfers and finishes the write once the reader makes
    /// room, keeping the writer's role meanwhile (answers finishing then queue behind it, counted in
    /// `outstanding`, so reading stops at the usual limit). Once the process is exiting it finishes the
    /// message it is in the middle of and starts no other (`closeOutput`).
    private func writeOut(_ out: Outgoing, from offset: Int, onLoop: Bool) {
        var (out, written) = (out, offset)
        // Only a loop that watches stdout can finish a write later.
        let loop = onLoop ? stdioLoop : nil
        while true {
            let end = exiting.load(ordering: .relaxed) ? out.endOfMessage(at: written) : out.bytes.count
            if written < end { written = send(out, from: written, to: end, waiting: loop == nil) }
            if written < end, let loop, case .descriptor(let descriptor, _) = output {
                let between = out.isBoundary(written)
                state.withLock { state in
                    state.parkedBetweenMessages = between
                    if between && state.phase == .exiting { self.state.wakeWaitersWhileLocked() }
                }
                loop.whenWritable(descriptor) { [out, written] in
                    // Written on from here, the write may be inside a message again.
                    self.state.withLock { $0.parkedBetweenMessages = false }
                    self.writeOut(out, from: written, onLoop: true)
                }
                return
            }
            let next = state.withLock { state -> [RequestPathState.Write]? in
                if written == out.bytes.count { releaseLocked(&state, out.units) }
                guard !state.unwritten.isEmpty, state.phase != .exiting else {
                    state.writing = false
                    // `closeOutput` waits for the writer to stop between messages.
                    if state.phase == .exiting { self.state.wakeWaitersWhileLocked() }
                    return nil
                }
                defer { state.unwritten = [] }
                return state.unwritten
            }
            guard let next else { return }
            (out, written) = (joined(next), 0)
        }
    }

    /// Answers to write as one, with where each message ends.
    struct Outgoing: Sendable {
        var bytes: [UInt8]
        /// The end of every message but the last, which ends with `bytes` (empty for one message, the
        /// usual case, so that it costs no allocation).
        var ends: [Int]
        /// The calls the answers release from `outstanding` once written.
        var units: Int

        /// Whether `offset` is between two messages.
        func isBoundary(_ offset: Int) -> Bool { offset == 0 || offset == bytes.count || ends.contains(offset) }

        /// The end of the message that goes on past `offset` (or begins there).
        func nextEnd(after offset: Int) -> Int { ends.first { $0 > offset } ?? bytes.count }

        /// Where the message being written at `offset` ends: `offset` itself when none has begun there.
        func endOfMessage(at offset: Int) -> Int { isBoundary(offset) ? offset : nextEnd(after: offset) }
    }

    /// Answers as one write, and the units they release.
    private func joined(_ batch: [RequestPathState.Write]) -> Outgoing {
        var bytes = batch[0].bytes
        var ends: [Int] = []
        for write in batch.dropFirst() {
            ends.append(bytes.count)
            bytes.append(contentsOf: write.bytes)
        }
        if context.logger.isEnabled(.trace) {
            for write in batch { context.logger.trace("-> \(Redaction.describe(Self.payload(of: write.bytes)))") }
        }
        return Outgoing(bytes: bytes, ends: ends, units: batch.reduce(0) { $0 + $1.units })
    }

    /// Writes `out.bytes` from `offset` up to `end` and returns how far it got: to `end`, unless
    /// `waiting` is false and the output descriptor has no room for more now, or the process began
    /// exiting between two messages. Waiting, it goes a message at a time once the reader is full, so
    /// that a decision to exit taken meanwhile starts no other message.
    private func send(_ out: Outgoing, from offset: Int, to end: Int, waiting: Bool) -> Int {
        switch output {
        case .closure(let take):
            take(offset == 0 && end == out.bytes.count ? out.bytes : Array(out.bytes[offset..<end]))
        case .descriptor(let descriptor, let closed):
            var offset = offset
            if !outputWaits.load(ordering: .relaxed) {
                switch FileDescriptorIO.writeWithoutWaiting(descriptor, out.bytes[offset..<end]) {
                case .wrote(let count):
                    offset += count
                    if !waiting || offset == end { return offset }
                case .failed:
                    closed()
                    return end
                case .unsupported: outputWaits.store(true, ordering: .relaxed)
                }
            }
            while offset < end {
                if exiting.load(ordering: .relaxed) && out.isBoundary(offset) { return offset }
                let stop = min(out.nextEnd(after: offset), end)
                if !FileDescriptorIO.writeAll(descriptor, out.bytes[offset..<stop]) {
                    closed()
                    return end
                }
                offset = stop
            }
        }
        return end
    }

    /// Calls answered: wakes the reader when this makes room below the limit, and the drain when
    /// nothing is left.
    func releaseLocked(_ state: inout RequestPathState, _ units: Int) {
        let before = state.outstanding
        state.outstanding -= units
        if state.outstanding == 0 || (before >= limits.maximumOutstanding && state.outstanding < limits.maximumOutstanding) {
            self.state.wakeWaitersWhileLocked()
            // A reader on the event loop waits in the loop's poll, which it left out of while full.
            stdioLoop?.wakeUp()
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

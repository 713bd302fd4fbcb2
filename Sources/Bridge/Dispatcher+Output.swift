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
            let (bytes, units) = self.joined(writes + more)
            self.writeOut(bytes, from: 0, units: units, onLoop: true)
        }
        if deferred != true {
            let (bytes, units) = joined(writes)
            writeOut(bytes, from: 0, units: units, onLoop: false)
        }
    }

    /// Writes `bytes` from `offset`, releases `units` once all are out, then writes what was queued
    /// meanwhile, and lets go of stdout. On the loop's thread it never waits for the reader: when stdout
    /// is full, the loop goes on with its transfers and finishes the write once the reader makes room,
    /// keeping the writer's role meanwhile (answers finishing then queue behind it, counted in
    /// `outstanding`, so reading stops at the usual limit).
    private func writeOut(_ bytes: [UInt8], from offset: Int, units: Int, onLoop: Bool) {
        var (bytes, units) = (bytes, units)
        // Only a loop that watches stdout can finish a write later.
        let loop = onLoop ? stdioLoop : nil
        var written = send(bytes, from: offset, waiting: loop == nil)
        while true {
            if written < bytes.count, let loop, case .descriptor(let descriptor, _) = output {
                loop.whenWritable(descriptor) { [bytes, written, units] in
                    guard self.state.withLock({ $0.phase != .exiting }) else { return }
                    self.writeOut(bytes, from: written, units: units, onLoop: true)
                }
                return
            }
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
            (bytes, units) = joined(next)
            written = send(bytes, from: 0, waiting: loop == nil)
        }
    }

    /// Answers as one write, and the units they release.
    private func joined(_ batch: [RequestPathState.Write]) -> (bytes: [UInt8], units: Int) {
        var bytes = batch[0].bytes
        for write in batch.dropFirst() { bytes.append(contentsOf: write.bytes) }
        if context.logger.isEnabled(.trace) {
            for write in batch { context.logger.trace("-> \(Redaction.describe(Self.payload(of: write.bytes)))") }
        }
        return (bytes, batch.reduce(0) { $0 + $1.units })
    }

    /// Writes `bytes` from `offset` and returns how far it got: to the end, unless `waiting` is false
    /// and the output descriptor has no room for more now.
    private func send(_ bytes: [UInt8], from offset: Int, waiting: Bool) -> Int {
        switch output {
        case .closure(let take):
            take(offset == 0 ? bytes : Array(bytes[offset...]))
        case .descriptor(let descriptor, let closed):
            if !waiting, !outputWaits.load(ordering: .relaxed) {
                switch FileDescriptorIO.writeWithoutWaiting(descriptor, bytes[offset...]) {
                case .wrote(let count): return offset + count
                case .failed:
                    closed()
                    return bytes.count
                case .unsupported: outputWaits.store(true, ordering: .relaxed)
                }
            }
            if !FileDescriptorIO.writeAll(descriptor, bytes[offset...]) { closed() }
        }
        return bytes.count
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

import FoundationEssentials
import JSON
import JSONRPC
import Synchronization

/// The request path between the frame decoder and stdout: decodes each frame, orders its calls per
/// session, starts them within the limits, tracks them for `$/cancelRequest` and shutdown, and writes
/// every answer exactly once. Knows nothing of stdin; `output` receives framed answers.
///
/// All of its state is one `RequestPathState` behind one lock (`state`); no lock is held across a
/// suspension or a write. Threads: the reader calls `receive` in arrival order (which is what session
/// order and cancellation rely on) and writes the answers it can give at once (`ping`) itself; a
/// call's task writes its own answer when it finishes, on whatever thread it finished on (on an
/// event loop that is a `BatchingExecutor`, once the loop has run every job ready, so that calls
/// finishing together are answered with one write). A call of one HTTP exchange that the transport
/// can start without a task (`BridgeMethod.start`) has no task: its exchange's completion writes its
/// answer the same way. With the HTTP loop as executor the reader is the loop itself
/// (`StdioWatchingExecutor`), so an `auth.exists` stays on one thread from stdin to stdout, and takes
/// the lock three times: to start, to finish and claim stdout, and to let stdout go (plus a few times
/// per read of stdin, for backpressure and shutdown).
public final class Dispatcher: Sendable {
    /// Where framed answers go; written by one thread at a time.
    public enum Output: Sendable {
        /// A descriptor (stdout). On an event loop that watches it (`StdioWatchingExecutor`) answers are
        /// written without waiting for the reader: what does not fit is written when the loop sees room,
        /// its transfers going on meanwhile. `closed` runs when the reader has gone away.
        case descriptor(Int32, closed: @Sendable () -> Void)
        /// A closure that takes one or more framed answers whole before it returns (tests).
        case closure(@Sendable ([UInt8]) -> Void)
    }

    public struct Limits: Sendable {
        /// Calls read and not yet answered before reading pauses: far above the 64 in flight that
        /// pipelining clients use, small enough that a client that never reads its answers stalls the
        /// bridge at bounded memory.
        public var maximumOutstanding: Int
        /// Calls running at once; the others wait unstarted (a batch of 20,000 costs its decoded params,
        /// not 20,000 tasks and HTTP exchanges).
        public var maximumRunning: Int

        public init(maximumOutstanding: Int = 512, maximumRunning: Int = 512) {
            self.maximumOutstanding = maximumOutstanding
            self.maximumRunning = maximumRunning
        }
    }

    let context: MethodContext
    /// Where calls' tasks run: nil for the global executor, or the HTTP engine's event loop so that a
    /// call resumes where its transfer completed, without a thread hop.
    let executor: (any TaskExecutor)?
    /// `executor`, when it can hold a write until its thread is idle.
    let batching: (any BatchingExecutor)?
    /// `executor`, when it reads stdin itself.
    let stdioLoop: (any StdioWatchingExecutor)?
    let limits: Limits
    let output: Output
    /// Set once the output descriptor proved that it cannot be written without waiting (a regular file,
    /// a terminal): it is then written with plain write(2).
    let outputWaits = Atomic(false)
    let state: ConditionLock<RequestPathState>
    /// Set with `RequestPathState.phase` `.exiting`, for the writer to read without the lock between
    /// two messages (`Dispatcher+Output`).
    let exiting = Atomic(false)

    public init(context: MethodContext, executor: (any TaskExecutor)? = nil, limits: Limits = Limits(), output: Output) {
        self.context = context
        self.executor = executor
        self.batching = executor as? any BatchingExecutor
        self.stdioLoop = executor as? any StdioWatchingExecutor
        self.limits = limits
        self.output = output
        self.state = ConditionLock(RequestPathState(store: context.medusa.sessions))
    }

    /// A dispatcher whose answers go to `output`, which takes each write whole.
    public convenience init(
        context: MethodContext, executor: (any TaskExecutor)? = nil, limits: Limits = Limits(),
        output: @escaping @Sendable ([UInt8]) -> Void
    ) {
        self.init(context: context, executor: executor, limits: limits, output: .closure(output))
    }

    /// One message as the dispatcher will handle it, decided before the lock is taken.
    enum Prepared {
        /// Answered without running anything (nil: a notification, never answered).
        case answered(Response?)
        case call(any BridgeMethod, RequestID?)
    }

    /// Handles one frame. Call from one thread, in arrival order.
    public func receive(_ frame: [UInt8], framing: Framing = .ndjson) {
        let incoming: Incoming
        do {
            incoming = try Incoming.decode(frame)
        } catch {
            answer(.failure(.null, .parseError(error.description)), framing: framing)
            return
        }
        // A frame's cancellations are applied once its calls are registered, so that a
        // `$/cancelRequest` reaches a call of its own batch as it reaches one of an earlier frame.
        var cancels: [RequestID] = []
        switch incoming {
        case .single(let message):
            switch prepare(message, cancels: &cancels) {
            case .answered(let response?): answer(response, framing: framing)
            case .answered(nil): break
            case .call(let method, let id): register([.call(method, id)], isBatch: false, framing: framing)
            }
        case .batch(let messages) where messages.isEmpty:
            answer(.failure(.null, .invalidRequest("an empty batch")), framing: framing)
        case .batch(let messages):
            register(messages.map { prepare($0, cancels: &cancels) }, isBatch: true, framing: framing)
        }
        for target in cancels { cancel(target) }
    }

    /// Answers a frame the decoder could not split off (over-long, bad LSP header) with id null.
    public func answer(_ response: Response, framing: Framing) {
        deliver(framing.frame(Response.encode([response], asBatch: false)), units: 1, counted: false)
    }

    private func prepare(_ message: Result<Request, InvalidMessage>, cancels: inout [RequestID]) -> Prepared {
        let request: Request
        switch message {
        case .failure(let invalid): return .answered(.failure(invalid.id, invalid.error))
        case .success(let decoded): request = decoded
        }
        // Notifications are never answered, not even with an error (JSON-RPC 2.0 §4.1).
        func answered(_ outcome: Result<JSONValue, ResponseError>) -> Prepared {
            .answered(request.id.map { Response(id: $0, outcome: outcome) })
        }
        guard let type = MethodRegistry.byName[request.method] else { return answered(.failure(.methodNotFound(request.method))) }
        let method: any BridgeMethod
        do {
            method = try type.init(params: request.params)
        } catch {
            return answered(.failure(error))
        }
        guard type.isImmediate else { return .call(method, request.id) }
        if let cancel = method as? CancelRequest {
            cancels.append(cancel.target)
            return answered(.success(.emptyObject))
        }
        if let immediate = method as? any ImmediateMethod {
            return answered(Result { () throws(ResponseError) in try immediate.respond(in: context) })
        }
        return .call(method, request.id)
    }

    /// Registers a frame's calls, in order, and starts those their sessions and the limits allow. A
    /// frame with no call left to run is answered at once.
    private func register(_ prepared: [Prepared], isBatch: Bool, framing: Framing) {
        let callCount = prepared.reduce(0) { count, item in if case .call = item { count + 1 } else { count } }
        guard callCount > 0 else {
            let responses = prepared.compactMap { item -> Response? in if case .answered(let response) = item { response } else { nil } }
            if !responses.isEmpty {
                deliver(framing.frame(Response.encode(responses, asBatch: isBatch)), units: prepared.count, counted: false)
            }
            return
        }
        let units = max(prepared.count, 1)
        // A batch's answers in request order, with those given already; a message of its own needs none.
        var responses: [Response?] = []
        if isBatch {
            responses.reserveCapacity(prepared.count)
            for item in prepared {
                if case .answered(let response) = item { responses.append(response) } else { responses.append(nil) }
            }
        }
        let (claimed, running, waiting) = state.withLock { state -> ([RequestPathState.Write]?, Int, Int) in
            let batch = isBatch ? state.serial() : nil
            state.outstanding += units
            if let batch { state.batches[batch] = .init(framing: framing, units: units, responses: responses, remaining: callCount) }
            for (index, item) in prepared.enumerated() {
                guard case .call(let method, let id) = item else { continue }
                let serial = state.serial()
                let answer = batch.map { RequestPathState.Destination.batch($0, index: index) } ?? .single(framing)
                state.calls[serial] = .init(method: method, id: id, answer: answer, stage: .waitingForSession)
                state.index(id, serial)
                let admitted: Bool
                if let use = method.sessionUse {
                    admitted = state.sessions[use.session, default: SessionLine()].arrive(serial, exclusive: use.exclusive)
                } else {
                    // Cast only for the few calls that name no session.
                    admitted = method is SessionList ? state.registerListing(serial) : true
                }
                if admitted { admitLocked(&state, serial) }
            }
            // While stopping, the calls were answered -32800 at once: their answer may be ready.
            return (claimLocked(&state), state.running, state.calls.count - state.running)
        }
        if isBatch, context.logger.isEnabled(.debug) {
            context.logger.debug("a batch of \(prepared.count) message(s): \(running) call(s) running, \(waiting) waiting to start")
        }
        if let claimed { flush(claimed) }
    }

    /// The number of calls read and not finished, running or waiting (for tests and diagnostics).
    public var pendingCount: Int { state.withLock { $0.calls.count } }

    /// The number of calls with a running task (for tests and diagnostics).
    public var runningCount: Int { state.withLock { $0.running } }
}

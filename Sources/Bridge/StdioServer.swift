import Dispatch
import FoundationEssentials
import JSON
import JSONRPC
import MedusaStore
import Synchronization

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// The stdio transport: stdin read on the HTTP loop's thread when the executor is an
/// `StdioWatchingExecutor` (the loop polls it beside its sockets, and a pipe's end shows as POLLHUP),
/// else by a thread of its own doing blocking `read(2)`; answers written by `Dispatcher` through
/// `write`; and the shutdown rules: end of input, SIGTERM/SIGINT, a broken stdout.
public final class StdioServer: Sendable {
    public struct Configuration: Sendable {
        public var framing: FramingMode
        public var maximumMessageBytes: Int
        /// After EOF, how long the bridge waits without any call being answered before it cancels the
        /// rest: one call's longest run (its attempts' timeouts and retry delays), so calls that wait
        /// their turn behind others are answered for real while the backend keeps answering.
        public var drainLimit: Duration

        public init(framing: FramingMode, maximumMessageBytes: Int, drainLimit: Duration) {
            self.framing = framing
            self.maximumMessageBytes = maximumMessageBytes
            self.drainLimit = drainLimit
        }
    }

    /// SIGTERM/SIGINT: how long requests in flight may finish before they are cancelled. Short,
    /// because whoever sends SIGTERM wants the process gone soon, but long enough for a login.
    static let signalGracePeriod: Duration = .seconds(3)
    /// After cancelling, how long the -32800 answers may take to be written. Most take microseconds;
    /// the bound is for a batch's answer of a few MiB going to a client that reads it slowly (a
    /// 20,000-call batch is ~1.4 MB). Ending earlier would cut such an answer off mid-message.
    static let cancelGracePeriod: Duration = .seconds(5)
    /// Then, how long the message the bridge is in the middle of writing may take to be finished
    /// before the process exits (no other is started). A reader that is reading takes the rest of any
    /// message in milliseconds (the largest, a batch's answer of a few MiB, crosses a pipe at hundreds
    /// of MiB/s); 2 s more covers one paused meanwhile (a garbage collector, a loaded machine), and
    /// keeps SIGTERM to exit within 10 s (3 + 5 + 2), the wait of `docker stop` and of most
    /// supervisors before SIGKILL. A reader that has not taken the rest by then (one that reads a few KiB at
    /// a time, slowly, or not at all) gets the message cut off.
    static let messageFinishPeriod: Duration = .seconds(2)
    static let readChunkBytes = 64 * 1024

    let dispatcher: Dispatcher
    let logger: Logger
    let configuration: Configuration
    let input: Int32
    let output: Int32
    private let terminate: Terminator

    /// Builds the dispatcher too, since it writes to this server's stdout.
    /// - Parameters:
    ///   - output: the protocol's descriptor (a duplicate of the real stdout; fd 1 itself then points
    ///     at stderr so that a stray print cannot corrupt the protocol).
    ///   - exit: ends the process; tests substitute a recorder. `_exit`, not `exit`: every answer and log
    ///     line is already written with write(2), and `exit` would run the C libraries' destructors
    ///     (OpenSSL's, libldap's, loaded with libcurl) while the HTTP thread may be inside them, which
    ///     crashed the process at exit now and then.
    public init(
        context: MethodContext, executor: (any TaskExecutor)? = nil, limits: Dispatcher.Limits = Dispatcher.Limits(),
        configuration: Configuration, input: Int32, output: Int32, exit: @escaping @Sendable (Int32) -> Void = { Glibc._exit($0) }
    ) {
        self.logger = context.logger
        self.configuration = configuration
        self.input = input
        self.output = output
        let terminate = Terminator(exit)
        self.terminate = terminate
        let logger = context.logger
        // Whichever thread has answers writes them here; the dispatcher lets one thread at a time in.
        self.dispatcher = Dispatcher(
            context: context, executor: executor, limits: limits,
            output: .descriptor(
                output,
                closed: {
                    logger.info("stdout is closed (errno \(errno)); exiting")
                    terminate(0)
                }))
    }

    /// Starts reading stdin; returns at once. On an event loop that can watch it (the HTTP engine's),
    /// stdin is read on the loop's own thread, in the same wait as the transfers, so that a call needs
    /// no hand-off between threads; otherwise a thread of its own does blocking reads.
    public func start() {
        signal(SIGPIPE, SIG_IGN)
        let reader = InputReader(server: self)
        if let loop = dispatcher.stdioLoop {
            loop.watchInput(input, wanted: { [dispatcher] in dispatcher.wantsInput }, onReadable: { reader.readChunk() })
        } else {
            DetachedThread.start { [dispatcher] in
                while dispatcher.waitForRoom() {
                    guard reader.readChunk() else { return }
                }
            }
        }
    }

    /// SIGTERM and SIGINT: stop reading, answer what never started -32800, let running calls finish
    /// within the grace period, cancel the rest, exit 0. Keep the returned sources alive.
    public func installSignalHandlers() -> [any DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in shutDown(signal: signalNumber) }
            source.resume()
            return source
        }
    }

    /// What a signal does; public so that tests can shut a server down without signalling the runner.
    public func shutDown(signal signalNumber: Int32) {
        logger.info("signal \(signalNumber): finishing \(dispatcher.outstandingCount) call(s) in flight")
        dispatcher.beginShutdown()
        // Wait on a thread of its own: blocking a dispatch worker would take one of the few threads
        // that run Swift tasks, and slow the very requests being waited for.
        DetachedThread.start { [self] in drainAndExit(within: Self.signalGracePeriod) }
    }

    fileprivate func handle(_ events: [FrameEvent], framing: Framing) {
        for event in events {
            switch event {
            case .message(let frame):
                if logger.isEnabled(.trace) { logger.trace("<- \(Redaction.describe(frame))") }
                dispatcher.receive(frame, framing: framing)
            case .tooLarge:
                logger.warn("dropped a message longer than \(configuration.maximumMessageBytes) bytes")
                let error = ResponseError.invalidRequest(
                    "message longer than \(configuration.maximumMessageBytes) bytes (--max-message-bytes)")
                dispatcher.answer(.failure(.null, error), framing: framing)
            case .invalidHeader(let reason):
                dispatcher.answer(.failure(.null, .parseError(reason)), framing: framing)
            }
        }
    }

    /// Waits for every call read to be answered, then exits 0. `limit` bounds the whole wait (a signal's
    /// grace) or, `whileAnswering`, each stretch of it without a call answered (end of input).
    fileprivate func drainAndExit(within limit: Duration, whileAnswering: Bool = false) {
        var unanswered = dispatcher.outstandingCount
        while !dispatcher.waitUntilAnswered(before: Date().addingTimeInterval(limit.timeInterval)) {
            let left = dispatcher.outstandingCount
            if whileAnswering && left < unanswered {
                unanswered = left
                continue
            }
            logger.warn("\(left) call(s) still unanswered after \(limit)\(whileAnswering ? " without an answer" : ""); cancelling them")
            dispatcher.cancelAll()
            if !dispatcher.waitUntilAnswered(before: Date().addingTimeInterval(Self.cancelGracePeriod.timeInterval)) {
                closeOutput()
            }
            break
        }
        // Every answer was written before its calls stopped counting.
        terminate(0)
    }

    /// The client has not taken every answer: exits without starting another, once the message being
    /// written (if any) is finished or `messageFinishPeriod` has passed, so that stdout ends on a whole
    /// message unless the reader has not taken its rest by then.
    private func closeOutput() {
        let unwritten = dispatcher.close()
        logger.warn(
            "exiting with the answers of \(unwritten) call(s) not all taken by the client: finishing the message "
                + "being written (up to \(Self.messageFinishPeriod)); those not begun are dropped whole")
        let deadline = Date().addingTimeInterval(Self.messageFinishPeriod.timeInterval)
        if !dispatcher.waitForWholeMessage(before: deadline) {
            logger.warn("the client did not take the rest of the message within \(Self.messageFinishPeriod): it is cut off on stdout")
        }
    }
}

/// What has been read of stdin and not yet split into messages. Used by one thread at a time: the
/// reader's own thread, or the event loop's.
private final class InputReader: @unchecked Sendable {
    private let server: StdioServer
    private var decoder: FrameDecoder
    private var buffer = [UInt8](repeating: 0, count: StdioServer.readChunkBytes)

    init(server: StdioServer) {
        self.server = server
        decoder = FrameDecoder(mode: server.configuration.framing, maximumMessageBytes: server.configuration.maximumMessageBytes)
    }

    /// Reads once and hands over every message completed; false when reading is over (end of input,
    /// or a signal's shutdown).
    func readChunk() -> Bool {
        let dispatcher = server.dispatcher
        let count = buffer.withUnsafeMutableBytes { read(server.input, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { return true }
        if count <= 0 {
            if count < 0 { server.logger.warn("reading stdin failed (errno \(errno)); treating it as end of input") }
            if dispatcher.chunkRead() { server.handle(decoder.finish(), framing: decoder.framing ?? .ndjson) }
            guard dispatcher.endOfInput() else { return false }
            server.logger.debug("end of input: finishing \(dispatcher.outstandingCount) call(s) in flight")
            // Waiting for the answers blocks: never on the event loop, which is what writes them.
            DetachedThread.start { [server] in server.drainAndExit(within: server.configuration.drainLimit, whileAnswering: true) }
            return false
        }
        // Bytes read are handed over whole, even when a signal came meanwhile: each of their messages
        // is answered (-32800 for calls that can no longer start).
        guard dispatcher.chunkRead() else { return false }
        let events = buffer.withUnsafeBufferPointer { decoder.push(UnsafeBufferPointer(rebasing: $0[0..<count])) }
        server.handle(events, framing: decoder.framing ?? .ndjson)
        dispatcher.chunkHandled()
        return true
    }
}

/// Ends the process once, whichever of end of input, a signal's drain or a broken stdout gets there
/// first.
private final class Terminator: Sendable {
    private let exiting = Atomic<Bool>(false)
    private let handler: @Sendable (Int32) -> Void

    init(_ handler: @escaping @Sendable (Int32) -> Void) { self.handler = handler }

    func callAsFunction(_ status: Int32) {
        guard !exiting.exchange(true, ordering: .relaxed) else { return }
        handler(status)
    }
}

import Dispatch
import Foundation
import JSON
import JSONRPC
import MedusaStore
import Synchronization

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// The stdio transport: a dedicated thread doing blocking `read(2)` on stdin (STDIO-NOTES.md: the only
/// reliable way on Linux), a serial queue that writes each answer with one `write(2)` loop, and the
/// shutdown rules of issue 2 (EOF, SIGTERM/SIGINT, broken stdout).
public final class StdioServer: Sendable {
    public struct Configuration: Sendable {
        public var framing: FramingMode
        public var maximumMessageBytes: Int
        /// After EOF, how long answers may take before the rest are cancelled. Each call is already
        /// bounded by its attempts' timeouts and retry delays; this bounds the whole drain.
        public var drainLimit: Duration

        public init(framing: FramingMode, maximumMessageBytes: Int, drainLimit: Duration) {
            self.framing = framing
            self.maximumMessageBytes = maximumMessageBytes
            self.drainLimit = drainLimit
        }
    }

    /// Frames read but not yet answered before reading pauses. Far above the 64 in flight that
    /// pipelining clients use, small enough to bound memory.
    static let maximumInFlight = 512
    /// SIGTERM/SIGINT: how long requests in flight may finish before they are cancelled. Short,
    /// because whoever sends SIGTERM wants the process gone soon, but long enough for a login.
    static let signalGracePeriod: Duration = .seconds(3)
    /// After cancelling, how long the -32800 answers may take to be written.
    static let cancelGracePeriod: Duration = .milliseconds(500)
    static let readChunkBytes = 64 * 1024

    let dispatcher: Dispatcher
    let logger: Logger
    let configuration: Configuration
    let input: Int32
    let output: Int32
    let limit = InFlightLimit(limit: StdioServer.maximumInFlight)
    private let writer = DispatchQueue(label: "medusa-auth-bridge.stdout")
    private let stopping = Atomic<Bool>(false)
    private let exiting = Atomic<Bool>(false)
    private let exitHandler: @Sendable (Int32) -> Void

    /// - Parameters:
    ///   - output: the protocol's descriptor (a duplicate of the real stdout; fd 1 itself then points
    ///     at stderr so that a stray print cannot corrupt the protocol).
    ///   - exit: ends the process; tests substitute a recorder.
    public init(
        dispatcher: Dispatcher, logger: Logger, configuration: Configuration, input: Int32, output: Int32,
        exit: @escaping @Sendable (Int32) -> Void = { Glibc.exit($0) }
    ) {
        self.dispatcher = dispatcher
        self.logger = logger
        self.configuration = configuration
        self.input = input
        self.output = output
        self.exitHandler = exit
    }

    /// Starts the reader thread and the signal handlers; returns at once.
    public func start() {
        signal(SIGPIPE, SIG_IGN)
        let thread = Thread { [self] in readLoop() }
        thread.name = "medusa-auth-bridge.stdin"
        thread.start()
    }

    /// SIGTERM and SIGINT: stop reading, let requests in flight finish within the grace period,
    /// cancel the rest, exit 0. Keep the returned sources alive.
    public func installSignalHandlers() -> [any DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in
                logger.info("signal \(signalNumber): finishing \(limit.outstanding) request(s) in flight")
                stopping.store(true, ordering: .relaxed)
                // Wait on a thread of its own: blocking a dispatch worker would take one of the few
                // threads that run Swift tasks, and slow the very requests being waited for.
                Thread.detachNewThread { [self] in drainAndExit(within: Self.signalGracePeriod) }
            }
            source.resume()
            return source
        }
    }

    private func readLoop() {
        var decoder = FrameDecoder(mode: configuration.framing, maximumMessageBytes: configuration.maximumMessageBytes)
        var buffer = [UInt8](repeating: 0, count: Self.readChunkBytes)
        while !stopping.load(ordering: .relaxed) {
            limit.waitUntilBelowLimit()
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 {
                if count < 0 { logger.warn("reading stdin failed (errno \(errno)); treating it as end of input") }
                handle(decoder.finish(), framing: decoder.framing ?? .ndjson)
                break
            }
            let events = buffer.withUnsafeBufferPointer { decoder.push(UnsafeBufferPointer(rebasing: $0[0..<count])) }
            handle(events, framing: decoder.framing ?? .ndjson)
        }
        guard !stopping.load(ordering: .relaxed) else { return }
        logger.debug("end of input: finishing \(limit.outstanding) request(s) in flight")
        drainAndExit(within: configuration.drainLimit)
    }

    private func handle(_ events: [FrameEvent], framing: Framing) {
        for event in events {
            guard !stopping.load(ordering: .relaxed) else { return }
            limit.acquire()
            let reply: Dispatcher.Reply = { [self] bytes in send(bytes, framing: framing) }
            switch event {
            case .message(let frame):
                if logger.isEnabled(.trace) { logger.trace("<- \(Redaction.describe(frame))") }
                dispatcher.receive(frame, reply: reply)
            case .tooLarge:
                logger.warn("dropped a message longer than \(configuration.maximumMessageBytes) bytes")
                let error = ResponseError.invalidRequest(
                    "message longer than \(configuration.maximumMessageBytes) bytes (--max-message-bytes)")
                reply(Response.encode([.failure(.null, error)], asBatch: false))
            case .invalidHeader(let reason):
                reply(Response.encode([.failure(.null, .parseError(reason))], asBatch: false))
            }
        }
    }

    /// Queues one answer for stdout; the frame stops counting as in flight once it is written.
    private func send(_ bytes: [UInt8]?, framing: Framing) {
        guard let bytes else {
            limit.release()
            return
        }
        writer.async { [self] in
            if logger.isEnabled(.trace) { logger.trace("-> \(Redaction.describe(bytes))") }
            if !FileDescriptorIO.writeAll(output, framing.frame(bytes)) {
                logger.info("stdout is closed (errno \(errno)); exiting")
                terminate(0)
            }
            limit.release()
        }
    }

    private func drainAndExit(within grace: Duration) {
        if !limit.waitUntilDrained(before: Date().addingTimeInterval(grace.timeInterval)) {
            logger.warn("\(limit.outstanding) request(s) still running after \(grace); cancelling them")
            dispatcher.cancelAll()
            _ = limit.waitUntilDrained(before: Date().addingTimeInterval(Self.cancelGracePeriod.timeInterval))
        }
        // Every answer was written by the serial writer before its frame was released.
        terminate(0)
    }

    private func terminate(_ status: Int32) {
        guard !exiting.exchange(true, ordering: .relaxed) else { return }
        exitHandler(status)
    }
}

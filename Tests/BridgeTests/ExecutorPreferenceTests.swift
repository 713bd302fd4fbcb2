import Foundation
import JSON
import MedusaStore
import Synchronization
import TestSupport
import Testing

@testable import Bridge

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// The seam for the HTTP engine's event loop: given an executor, every call's task runs on it and its
/// answer is written from it, with no other thread in between.
@Suite("Request path: executor preference")
struct ExecutorPreferenceTests {
    @Test("calls run on the given executor and their answers are written from its thread")
    func callsRunOnTheExecutor() async throws {
        let loop = ThreadExecutor()
        defer { loop.stop() }
        try await loop.started()
        let transport = ThreadRecordingTransport()
        let writers = Mutex<[Bool]>([])
        let replies = Inbox<String>()
        let configuration = MedusaConfiguration(
            baseURL: URL(string: "http://127.0.0.1:9000")!, attemptTimeout: .seconds(5), userAgent: "test")
        let context = MethodContext(
            medusa: MedusaClient(configuration: configuration, transport: transport), logger: Logger(level: .error))
        let dispatcher = Dispatcher(context: context, executor: loop) { bytes in
            writers.withLock { $0.append(ThreadExecutor.isCurrent) }
            replies.put(String(decoding: bytes.dropLast(), as: UTF8.self))
        }
        for id in 1...3 {
            dispatcher.receive(Array(#"{"jsonrpc":"2.0","id":\#(id),"method":"auth.exists","params":["a\#(id)@b.co"]}"#.utf8))
        }
        for index in 1...3 { #expect(try await replies.next("answer \(index)").contains(#""result":{"exists":true}"#)) }
        #expect(loop.enqueued.load(ordering: .relaxed) >= 3)
        #expect(transport.onLoop == [true, true, true])
        #expect(writers.withLock { $0 }.allSatisfy { $0 } && writers.withLock { $0 }.count == 3)
    }
}

/// A one-thread `TaskExecutor`, shaped like an event loop: jobs run in order on its own thread.
final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false
    let enqueued = Atomic<Int>(0)
    /// The executor's thread, known before it runs any job.
    private static let loopThread = Mutex<pthread_t?>(nil)

    init() {
        let thread = Thread { [self] in run() }
        thread.start()
    }

    /// Whether the calling thread is the executor's.
    static var isCurrent: Bool { loopThread.withLock { $0.map { pthread_equal($0, pthread_self()) != 0 } ?? false } }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        enqueued.add(1, ordering: .relaxed)
        condition.lock()
        jobs.append(unowned)
        condition.signal()
        condition.unlock()
    }

    private let running = Inbox<Bool>()

    /// Waits until the thread runs and its identity is known.
    func started() async throws { _ = try await running.next("the executor's thread to start") }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        Self.loopThread.withLock { $0 = pthread_self() }
        running.put(true)
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// Answers `{"exists":true}` and records whether each request was sent from the executor's thread.
final class ThreadRecordingTransport: HTTPTransport {
    private let threads = Mutex<[Bool]>([])

    var onLoop: [Bool] { threads.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        threads.withLock { $0.append(ThreadExecutor.isCurrent) }
        return .json(200, #"{"exists":true}"#)
    }
}

@Suite("Request path: answers batched on an event loop")
struct AnswerBatchingTests {
    @Test("calls finishing in one round of a batching executor are answered with one write, from its thread")
    func answersOfOneRoundShareAWrite() async throws {
        let loop = BatchingThreadExecutor()
        defer { loop.stop() }
        let transport = ThreadRecordingTransport()
        let writes = Mutex<[(lines: Int, onLoop: Bool)]>([])
        let written = Inbox<Int>()
        let configuration = MedusaConfiguration(
            baseURL: URL(string: "http://127.0.0.1:9000")!, attemptTimeout: .seconds(5), userAgent: "test")
        let context = MethodContext(
            medusa: MedusaClient(configuration: configuration, transport: transport), logger: Logger(level: .error))
        let dispatcher = Dispatcher(context: context, executor: loop) { bytes in
            let lines = bytes.count { $0 == UInt8(ascii: "\n") }
            writes.withLock { $0.append((lines, loop.isCurrent)) }
            written.put(lines)
        }
        // Three calls whose jobs are all queued before the loop runs any: one round.
        for id in 1...3 {
            dispatcher.receive(Array(#"{"jsonrpc":"2.0","id":\#(id),"method":"auth.exists","params":["a\#(id)@b.co"]}"#.utf8))
        }
        loop.start()
        #expect(try await written.next("the round's write") == 3)
        // `ping` is answered by the reader's thread at once, never held.
        dispatcher.receive(Array(#"{"jsonrpc":"2.0","id":4,"method":"ping"}"#.utf8))
        #expect(try await written.next("the ping's write") == 1)
        let recorded = writes.withLock { $0 }
        #expect(recorded.count == 2 && recorded[0].onLoop && !recorded[1].onLoop)
        // Off its thread the executor holds nothing.
        #expect(!loop.deferUntilIdle {})
    }
}

/// A one-thread executor that starts when told and runs deferred work once its queue is empty.
final class BatchingThreadExecutor: BatchingExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var idleWork: [@Sendable () -> Void] = []
    private var running = false
    private var stopped = false
    private let thread = Mutex<pthread_t?>(nil)

    var isCurrent: Bool { thread.withLock { $0.map { pthread_equal($0, pthread_self()) != 0 } ?? false } }

    func start() {
        Thread { [self] in run() }.start()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        jobs.append(unowned)
        condition.signal()
        condition.unlock()
    }

    func deferUntilIdle(_ work: @escaping @Sendable () -> Void) -> Bool {
        guard isCurrent else { return false }
        idleWork.append(work)
        return true
    }

    private func run() {
        thread.withLock { $0 = pthread_self() }
        while true {
            condition.lock()
            if jobs.isEmpty && !idleWork.isEmpty {
                condition.unlock()
                let work = idleWork
                idleWork = []
                for item in work { item() }
                continue
            }
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

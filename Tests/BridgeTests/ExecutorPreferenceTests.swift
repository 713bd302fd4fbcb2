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
        loop.start()
        let transport = ThreadRecordingTransport(loop)
        let writers = Mutex<[Bool]>([])
        let replies = Inbox<String>()
        let dispatcher = Dispatcher(context: Self.context(transport), executor: loop) { bytes in
            writers.withLock { $0.append(loop.isCurrent) }
            replies.put(String(decoding: bytes.dropLast(), as: UTF8.self))
        }
        for id in 1...3 { dispatcher.receive(Self.exists(id)) }
        for index in 1...3 { #expect(try await replies.next("answer \(index)").contains(#""result":{"exists":true}"#)) }
        #expect(loop.enqueued.load(ordering: .relaxed) >= 3)
        #expect(transport.onLoop == [true, true, true])
        #expect(writers.withLock { $0 }.allSatisfy { $0 } && writers.withLock { $0 }.count == 3)
    }

    @Test("calls finishing in one round of a batching executor are answered with one write, from its thread")
    func answersOfOneRoundShareAWrite() async throws {
        let loop = ThreadExecutor(batching: true)
        defer { loop.stop() }
        let writes = Mutex<[(lines: Int, onLoop: Bool)]>([])
        let written = Inbox<Int>()
        let dispatcher = Dispatcher(context: Self.context(ThreadRecordingTransport(loop)), executor: loop) { bytes in
            let lines = bytes.count { $0 == UInt8(ascii: "\n") }
            writes.withLock { $0.append((lines, loop.isCurrent)) }
            written.put(lines)
        }
        // Three calls whose jobs are all queued before the loop runs any: one round.
        for id in 1...3 { dispatcher.receive(Self.exists(id)) }
        loop.start()
        #expect(try await written.next("the round's write") == 3)
        let recorded = writes.withLock { $0 }
        #expect(recorded.count == 1 && recorded[0].onLoop)
    }

    static func context(_ transport: some HTTPTransport) -> MethodContext {
        let configuration = MedusaConfiguration(
            baseURL: URL(string: "http://127.0.0.1:9000")!, attemptTimeout: .seconds(5), userAgent: "test")
        return MethodContext(medusa: MedusaClient(configuration: configuration, transport: transport), logger: Logger(level: .error))
    }

    static func exists(_ id: Int) -> [UInt8] {
        Array(#"{"jsonrpc":"2.0","id":\#(id),"method":"auth.exists","params":["a\#(id)@b.co"]}"#.utf8)
    }
}

/// A one-thread `TaskExecutor`, shaped like an event loop: jobs run in order on its own thread, from
/// `start()`. With `batching`, work deferred with `deferUntilIdle` runs once no job is queued.
final class ThreadExecutor: BatchingExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var idleWork: [@Sendable () -> Void] = []
    private var stopped = false
    private let batching: Bool
    private let thread = Mutex<pthread_t?>(nil)
    let enqueued = Atomic<Int>(0)

    init(batching: Bool = false) { self.batching = batching }

    /// Whether the calling thread is the executor's.
    var isCurrent: Bool { thread.withLock { $0.map { pthread_equal($0, pthread_self()) != 0 } ?? false } }

    /// Starts the thread; jobs enqueued before wait for it.
    func start() { Thread { [self] in run() }.start() }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        enqueued.add(1, ordering: .relaxed)
        condition.lock()
        jobs.append(unowned)
        condition.signal()
        condition.unlock()
    }

    func deferUntilIdle(_ work: @escaping @Sendable () -> Void) -> Bool {
        guard batching, isCurrent else { return false }
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

/// Answers `{"exists":true}` and records whether each request was sent from the executor's thread.
final class ThreadRecordingTransport: HTTPTransport {
    private let loop: ThreadExecutor
    private let threads = Mutex<[Bool]>([])

    init(_ loop: ThreadExecutor) { self.loop = loop }

    var onLoop: [Bool] { threads.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        threads.withLock { $0.append(loop.isCurrent) }
        return .json(200, #"{"exists":true}"#)
    }
}

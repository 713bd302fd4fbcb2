import Dispatch
import Synchronization
import Testing

@testable import MedusaStore

@Suite("Blocking thread pool")
struct BlockingThreadPoolTests {
    @Test("jobs that block all run at once, far beyond the number of cores, then every one finishes")
    func growsForBlockedJobs() async throws {
        let pool = BlockingThreadPool(maximumThreads: 512)
        let started = Mutex(0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let count = 200
        for _ in 0..<count {
            pool.submit {
                started.withLock { $0 += 1 }
                // Bounded: a broken pool fails the test below instead of hanging.
                _ = release.wait(timeout: .now() + 30)
                finished.signal()
            }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while started.withLock({ $0 }) < count && ContinuousClock.now < deadline { await Task.yield() }
        #expect(started.withLock { $0 } == count)
        for _ in 0..<count { release.signal() }
        for _ in 0..<count { #expect(finished.wait(timeout: .now() + 30) == .success) }
    }
}

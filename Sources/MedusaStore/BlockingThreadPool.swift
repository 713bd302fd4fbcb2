import Foundation

/// Threads for work that blocks (socket I/O in `poll`), growing when every thread is busy and
/// shrinking when idle.
///
/// Neither Swift's cooperative pool (one thread per core) nor a dispatch queue (libdispatch on Linux
/// does not see a thread blocked in `poll` and adds none) may host 100 exchanges that each wait 20 s
/// for a slow backend: the 101st would wait for a thread instead of being sent.
final class BlockingThreadPool: Sendable {
    typealias Job = @Sendable () -> Void

    /// The most threads at once; further jobs wait for one.
    let maximumThreads: Int
    /// How long a thread with nothing to do waits for work before it ends.
    static let idleLifetime: TimeInterval = 30

    // A monitor: `jobs`, `idle` and `threads` are only touched with `condition` locked.
    private let condition = NSCondition()
    nonisolated(unsafe) private var jobs: [Job?] = []
    nonisolated(unsafe) private var jobIndex = 0
    nonisolated(unsafe) private var idle = 0
    nonisolated(unsafe) private var threads = 0

    init(maximumThreads: Int) { self.maximumThreads = maximumThreads }

    func submit(_ job: @escaping Job) {
        condition.lock()
        jobs.append(job)
        let spawn = idle == 0 && threads < maximumThreads
        if spawn { threads += 1 }
        condition.signal()
        condition.unlock()
        if spawn {
            let thread = Thread { [self] in work() }
            thread.name = "medusa-auth-bridge.http"
            thread.start()
        }
    }

    private func work() {
        condition.lock()
        while true {
            while jobIndex == jobs.count {
                idle += 1
                let signalled = condition.wait(until: Date().addingTimeInterval(Self.idleLifetime))
                idle -= 1
                if !signalled && jobIndex == jobs.count {
                    threads -= 1
                    condition.unlock()
                    return
                }
            }
            let job = jobs[jobIndex]
            jobs[jobIndex] = nil
            jobIndex += 1
            // Taken slots are dropped when the queue empties, or in bulk under constant load.
            if jobIndex == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                jobIndex = 0
            } else if jobIndex >= 1024 {
                jobs.removeFirst(jobIndex)
                jobIndex = 0
            }
            condition.unlock()
            job?()
            condition.lock()
        }
    }
}

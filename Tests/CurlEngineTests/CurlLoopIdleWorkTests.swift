import TestSupport
import Testing

@testable import CurlEngine

/// `deferUntilIdle`, which lets the answers of every call finishing in one round share one write.
@Suite("libcurl loop: work deferred until its jobs have run")
struct CurlLoopIdleWorkTests {
    @Test("off the loop's thread nothing is deferred; on it, the work runs after every job ready, those queued meanwhile too")
    func defersOnlyOnTheLoopsThread() async throws {
        let loop = CurlLoop(maximumConnectionsPerOrigin: 1)
        loop.start()
        // Elsewhere the caller must do the work itself (a reader thread's answer is written at once).
        #expect(!loop.deferUntilIdle { Issue.record("work deferred off the loop's thread ran") })
        let events = Inbox<String>()
        loop.schedule {
            let deferred = loop.deferUntilIdle { events.put("deferred work") }
            loop.post { events.put("job queued by the first") }
            events.put("first job, deferred: \(deferred)")
        }
        #expect(try await events.next("the first job") == "first job, deferred: true")
        #expect(try await events.next("the job it queued") == "job queued by the first")
        #expect(try await events.next("the deferred work") == "deferred work")
    }
}

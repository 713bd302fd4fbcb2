import Foundation
import Synchronization
import TestSupport
import Testing

@testable import CurlEngine

/// The loop's one extra descriptor (the bridge's stdin): read on the loop's thread, only while wanted,
/// and its end seen even though a pipe at its end reports POLLHUP alone.
@Suite("libcurl loop: watching the input")
struct CurlLoopInputTests {
    @Test("a readable pipe is handed to the loop's thread while wanted, and its end is seen")
    func watchesAPipe() async throws {
        let loop = CurlLoop(maximumConnectionsPerOrigin: 1)
        loop.start()
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        defer { close(readEnd) }
        let wanted = Atomic<Bool>(false)
        let chunks = Inbox<(bytes: Int, onLoop: Bool)>()
        loop.watchInput(
            readEnd, wanted: { wanted.load(ordering: .relaxed) },
            onReadable: {
                var buffer = [UInt8](repeating: 0, count: 64)
                let count = read(readEnd, &buffer, buffer.count)
                chunks.put((count, loop.isCurrent))
                return count > 0
            })
        #expect(write(writeEnd, "abc", 3) == 3)
        // Not wanted: two turns of the loop later the bytes are still in the pipe, unread.
        let turns = Inbox<Int>()
        for turn in 1...2 { loop.schedule { turns.put(turn) } }
        for turn in 1...2 { #expect(try await turns.next("turn \(turn) of the loop") == turn) }
        var entry = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        #expect(poll(&entry, 1, 0) == 1 && chunks.pending.isEmpty)
        // Wanted, after a wake-up, it reads them on its own thread.
        wanted.store(true, ordering: .relaxed)
        loop.wakeUp()
        let first = try await chunks.next("the bytes written")
        #expect(first.bytes == 3 && first.onLoop)
        close(writeEnd)
        let end = try await chunks.next("the pipe's end")
        #expect(end.bytes == 0 && end.onLoop)
    }
}

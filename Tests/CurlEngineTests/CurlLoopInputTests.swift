import Foundation
import Synchronization
import TestSupport
import Testing

@testable import CurlEngine

/// The loop's extra descriptors: its input (the bridge's stdin), read on the loop's thread, only while
/// wanted, and its end seen even though a pipe at its end reports POLLHUP alone; and its output (stdout)
/// while full, waited for in the loop's poll instead of in write(2).
@Suite("libcurl loop: watching the input and the output")
struct CurlLoopInputTests {
    /// A running loop, and a pipe's read and write ends for the test to close.
    static func loopAndPipe() throws -> (CurlLoop, Int32, Int32) {
        let loop = CurlLoop(maximumConnectionsPerOrigin: 1)
        loop.start()
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        return (loop, ends[0], ends[1])
    }

    @Test("a readable pipe is handed to the loop's thread while wanted, and its end is seen")
    func watchesAPipe() async throws {
        let (loop, readEnd, writeEnd) = try Self.loopAndPipe()
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

    @Test("a full pipe is waited for in the loop's poll, the loop going on meanwhile, until the reader makes room or goes")
    func waitsForRoom() async throws {
        let (loop, readEnd, writeEnd) = try Self.loopAndPipe()
        defer { close(writeEnd) }
        // The test's own writes must not block: O_NONBLOCK on this pipe, which only the test shares.
        #expect(fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK) == 0)
        func fill() -> Int {
            var total = 0
            let chunk = [UInt8](repeating: 0x78, count: 4096)
            while true {
                let written = write(writeEnd, chunk, chunk.count)
                if written <= 0 { return total }
                total += written
            }
        }
        #expect(fill() > 0)
        let room = Inbox<Bool>()
        loop.schedule { loop.whenWritable(writeEnd) { room.put(loop.isCurrent) } }
        // Two turns of the loop later it has not been called: the pipe is still full, and the loop runs.
        let turns = Inbox<Int>()
        for turn in 1...2 { loop.schedule { turns.put(turn) } }
        for turn in 1...2 { #expect(try await turns.next("turn \(turn) of the loop") == turn) }
        #expect(room.pending.isEmpty)
        // The reader takes some: room, seen on the loop's thread.
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        #expect(read(readEnd, &buffer, buffer.count) > 0)
        #expect(try await room.next("room in the pipe") == true)
        // Full again, and the reader goes away: that counts as room too (the write then fails at once).
        _ = fill()
        loop.schedule { loop.whenWritable(writeEnd) { room.put(loop.isCurrent) } }
        loop.schedule { turns.put(3) }
        #expect(try await turns.next("turn 3 of the loop") == 3)
        #expect(room.pending.isEmpty)
        close(readEnd)
        #expect(try await room.next("the reader's end closing") == true)
    }
}

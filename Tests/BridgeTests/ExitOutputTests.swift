import Foundation
import MedusaStore
import TestSupport
import Testing

@testable import Bridge
@testable import JSONRPC

#if canImport(Glibc)
    import Glibc
#endif

/// stdout when the process decides to exit while a writer thread waits for the reader (the path used
/// without the HTTP loop, and for descriptors that cannot be written without waiting): the message
/// begun is finished, none other is started.
@Suite("Writing stdout at exit")
struct ExitOutputTests {
    /// Bytes waiting in the pipe behind `descriptor`.
    static func unread(_ descriptor: Int32) -> Int32 {
        var count: Int32 = 0
        _ = ioctl(descriptor, UInt(FIONREAD), &count)
        return count
    }

    /// Reads `descriptor` until a newline, each wait bounded by `eventTimeout`.
    static func readLine(_ descriptor: Int32) throws -> [UInt8] {
        var line: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !line.contains(0x0A) {
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, Int32(eventTimeout.components.seconds * 1000)) == 1 else { throw TimedOut(what: "a line on the pipe") }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw TimedOut(what: "a line before the pipe's end") }
            line += buffer[0..<count]
        }
        return line
    }

    @Test("exiting while the writer waits inside a message: it finishes that message once the reader reads, and never begins the next")
    func exitFinishesOnlyTheMessageBegun() async throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        defer { for end in ends { close(end) } }
        let configuration = MedusaConfiguration(
            baseURL: URL(string: "http://127.0.0.1:9000")!, maxRetries: 0, publishableAPIKey: nil, attemptTimeout: .seconds(5),
            userAgent: "test")
        let medusa = MedusaClient(configuration: configuration, transport: ScriptedTransport([]), sleep: { _ in })
        let dispatcher = Dispatcher(
            context: MethodContext(medusa: medusa, logger: Logger(level: .error)), output: .descriptor(ends[1], closed: {}))
        // 100 KB: more than the 64 KiB pipe, so its writer waits in the middle of it.
        let big = Response.failure(.null, .invalidRequest(String(repeating: "x", count: 100_000)))
        let expected = Framing.ndjson.frame(Response.encode([big], asBatch: false))
        DetachedThread.start { dispatcher.answer(big, framing: .ndjson) }
        let deadline = ContinuousClock.now + eventTimeout
        while Self.unread(ends[0]) < 65536 {
            guard ContinuousClock.now < deadline else { throw TimedOut(what: "the writer filling the pipe") }
            try await Task.sleep(for: .milliseconds(5))
        }
        // Queued behind the writer, then the decision to exit.
        dispatcher.answer(.failure(.null, .invalidRequest("never begun")), framing: .ndjson)
        #expect(dispatcher.close() == 2)
        #expect(try Self.readLine(ends[0]) == expected)
        #expect(dispatcher.waitForWholeMessage(before: Date().addingTimeInterval(eventTimeout.timeInterval)))
        #expect(Self.unread(ends[0]) == 0)
    }
}

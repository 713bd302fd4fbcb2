import Foundation
import JSON
import MedusaStore
import Synchronization
import TestSupport
import Testing

@testable import Bridge

/// The request path's limits, outcomes and shutdown, in-process over held transports: what runs, what
/// waits unstarted, and that every call read is answered exactly once.
@Suite("Request path: limits, outcomes and shutdown")
struct RequestPathTests {
    static let customer = HTTPResponse.json(200, #"{"customer":{"id":"cus_1"}}"#)
    static let cancelled = #"{"code":-32800,"message":"Request cancelled"}"#

    static func exists(_ id: Int, session: String = "default") -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"auth.exists","params":{"email":"a\#(id)@b.co","session":"\#(session)"}}"#
    }

    @Test("a batch of 20,000 calls against a backend that never answers starts only the running limit; the rest wait unstarted")
    func batchStartsWithinTheLimit() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport)
        let count = 20_000
        bridge.send("[" + (1...count).map { Self.exists($0) }.joined(separator: ",") + "]")
        let limit = Dispatcher.Limits().maximumRunning
        #expect(bridge.dispatcher.runningCount == limit)
        #expect(bridge.dispatcher.pendingCount == count)
        #expect(bridge.dispatcher.outstandingCount == count)
        for index in 1...limit { _ = try await transport.started.next("started call \(index)") }
        #expect(transport.started.pending.isEmpty)
        bridge.dispatcher.cancelAll()
        let answer = try parse(try await bridge.replies.next("the batch's answer"))
        let errors = try #require(answer.arrayValue).map { $0["error"]?["code"] }
        #expect(errors.count == count && errors.allSatisfy { $0 == -32800 })
        #expect(bridge.dispatcher.pendingCount == 0 && bridge.dispatcher.outstandingCount == 0)
    }

    @Test("calls waiting for a running slot start in arrival order as slots free up")
    func queuedCallsStartInOrder() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport, limits: Dispatcher.Limits(maximumRunning: 2))
        for id in 1...4 { bridge.send(Self.exists(id, session: "s\(id)")) }
        #expect(bridge.dispatcher.runningCount == 2 && bridge.dispatcher.pendingCount == 4)
        let first = try await transport.started.next("call 1")
        let second = try await transport.started.next("call 2")
        #expect(Set([first.request.parsedURL?.lastPathComponent, second.request.parsedURL?.lastPathComponent]) == ["a1@b.co", "a2@b.co"])
        transport.answer(first.serial, .json(200, #"{"exists":true}"#))
        #expect(try await transport.started.next("call 3").request.parsedURL?.lastPathComponent == "a3@b.co")
        _ = try await bridge.replies.next("the first answer")
        #expect(transport.started.pending.isEmpty)
        bridge.dispatcher.cancelAll()
        for index in 1...3 { #expect(try await bridge.replies.next("cancelled \(index)").contains(Self.cancelled)) }
    }

    @Test("a login whose work finished after a cancel arrived is answered with its result, and its session is logged in")
    func finishedWorkIsNeverReportedCancelled() async throws {
        let transport = CancelledDuringWorkTransport(
            HTTPResponse(status: 200, headers: ["Set-Cookie": "connect.sid=s1; Path=/"], body: Array(#"{"customer":{"id":"cus_1"}}"#.utf8)))
        let bridge = Harness(transport: transport)
        transport.whileWorking { bridge.send(#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#) }
        let reply = try await bridge.call(
            #"{"jsonrpc":"2.0","id":1,"method":"auth.authenticate","params":{"email":"a@b.co","password":"p"}}"#)
        #expect(reply == #"{"jsonrpc":"2.0","id":1,"result":{"customer":{"id":"cus_1"}}}"#)
        #expect(transport.cancelsSeen == 1)
        let sessions = try parse(try await bridge.call(#"{"jsonrpc":"2.0","id":2,"method":"session.list"}"#))
        #expect(sessions["result"]?["sessions"]?.arrayValue?.first?["hasCookie"] == true)
    }

    @Test("at shutdown, calls that never started are answered -32800 at once, running ones finish, and later calls are refused")
    func shutdownAnswersEverything() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport, limits: Dispatcher.Limits(maximumRunning: 1))
        bridge.send(#"{"jsonrpc":"2.0","id":1,"method":"auth.authenticate","params":{"email":"a@b.co","password":"p","session":"s"}}"#)
        bridge.send(#"{"jsonrpc":"2.0","id":2,"method":"auth.getSession","params":{"session":"s"}}"#)
        bridge.send(Self.exists(3, session: "t"))
        bridge.send(#"{"jsonrpc":"2.0","method":"auth.getSession","params":{"session":"u"}}"#)
        let login = try await transport.started.next("the login")
        bridge.dispatcher.beginShutdown()
        let refused = Set([try await bridge.replies.next("refused 1"), try await bridge.replies.next("refused 2")])
        #expect(
            refused == [#"{"jsonrpc":"2.0","id":2,"error":\#(Self.cancelled)}"#, #"{"jsonrpc":"2.0","id":3,"error":\#(Self.cancelled)}"#])
        #expect(try await bridge.call(Self.exists(5)) == #"{"jsonrpc":"2.0","id":5,"error":\#(Self.cancelled)}"#)
        #expect(try await bridge.call(#"{"jsonrpc":"2.0","id":6,"method":"ping"}"#) == #"{"jsonrpc":"2.0","id":6,"result":{}}"#)
        transport.answer(login.serial, Self.customer)
        #expect(try await bridge.replies.next("the login's answer") == #"{"jsonrpc":"2.0","id":1,"result":{"customer":{"id":"cus_1"}}}"#)
        #expect(bridge.dispatcher.waitUntilAnswered(before: Date().addingTimeInterval(eventTimeout.timeInterval)))
        #expect(transport.started.pending.isEmpty && bridge.dispatcher.pendingCount == 0)
    }
}

/// Answers every request after running the test's hook, which cancels the very call being served:
/// the work then finishes after its cancel arrived.
final class CancelledDuringWorkTransport: HTTPTransport {
    private let hook = Mutex<(@Sendable () -> Void)?>(nil)
    private let seen = Mutex(0)
    private let response: HTTPResponse

    init(_ response: HTTPResponse) { self.response = response }

    func whileWorking(_ body: @escaping @Sendable () -> Void) { hook.withLock { $0 = body } }

    var cancelsSeen: Int { seen.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        hook.withLock { $0 }?()
        if Task.isCancelled { seen.withLock { $0 += 1 } }
        return response
    }
}

import Foundation
import JSON
import MedusaStore
import Testing

@testable import Bridge

/// Per-session ordering and `$/cancelRequest`, observed through a transport that holds each request
/// until the test answers it.
@Suite("Session ordering and cancellation")
struct OrderingAndCancellationTests {
    static let customer = HTTPResponse.json(200, #"{"customer":{"id":"cus_1"}}"#)

    @Test("a call pipelined after a login in the same session starts only when the login has finished")
    func loginThenSession() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport)
        bridge.send(#"{"jsonrpc":"2.0","id":1,"method":"auth.authenticate","params":{"email":"a@b.co","password":"p"}}"#)
        bridge.send(#"{"jsonrpc":"2.0","id":2,"method":"auth.getSession"}"#)
        let login = try await transport.started.next("the login request")
        #expect(login.request.method == "POST")
        #expect(transport.started.pending.isEmpty)
        transport.answer(
            login.serial,
            HTTPResponse(status: 200, headers: ["Set-Cookie": "connect.sid=s1; Path=/"], body: Array(#"{"customer":{"id":"cus_1"}}"#.utf8)))
        let session = try await transport.started.next("the getSession request")
        #expect(session.request.method == "GET")
        #expect(session.answeredBefore == 1)
        #expect(session.request.headers["Cookie"] == "connect.sid=s1")
        transport.answer(session.serial, Self.customer)
        // Both calls succeed with the customer; their replies may come in either order.
        #expect(
            Set([try await bridge.replies.next("reply 1"), try await bridge.replies.next("reply 2")]) == [
                #"{"jsonrpc":"2.0","id":1,"result":{"customer":{"id":"cus_1"}}}"#,
                #"{"jsonrpc":"2.0","id":2,"result":{"customer":{"id":"cus_1"}}}"#,
            ])
    }

    @Test("calls of one session overlap until a state change, which waits for them and holds later ones")
    func exclusiveWaitsForEarlierAndHoldsLater() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport)
        bridge.send(#"{"jsonrpc":"2.0","id":1,"method":"auth.getSession"}"#)
        bridge.send(#"{"jsonrpc":"2.0","id":2,"method":"auth.exists","params":{"email":"a@b.co"}}"#)
        bridge.send(#"{"jsonrpc":"2.0","id":3,"method":"auth.deleteSession"}"#)
        bridge.send(#"{"jsonrpc":"2.0","id":4,"method":"auth.getSession"}"#)
        bridge.send(#"{"jsonrpc":"2.0","id":5,"method":"auth.getSession","params":{"session":"other"}}"#)
        var first = [
            try await transport.started.next("call 1"), try await transport.started.next("call 2"),
            try await transport.started.next("call 5"),
        ]
        first.sort { $0.serial < $1.serial }
        #expect(Set(first.map(\.request.parsedURL?.path)) == ["/store/auth", "/store/auth/a@b.co"])
        #expect(first.allSatisfy { $0.request.method == "GET" && $0.answeredBefore == 0 })
        #expect(transport.started.pending.isEmpty)
        for call in first {
            transport.answer(call.serial, call.request.parsedURL?.path == "/store/auth" ? Self.customer : .json(200, #"{"exists":true}"#))
        }
        let logout = try await transport.started.next("the logout")
        #expect(logout.request.method == "DELETE")
        #expect(logout.answeredBefore == 3)
        #expect(transport.started.pending.isEmpty)
        transport.answer(logout.serial, .json(200, "OK"))
        let last = try await transport.started.next("the call after the logout")
        #expect(last.request.method == "GET")
        #expect(last.answeredBefore == 4)
        transport.answer(last.serial, Self.customer)
        // Each call is answered with what its own request got (overlapping calls may reply in any
        // order): the getSession calls (1, 5, and 4 after the logout) the customer, auth.exists (2)
        // its answer, the logout (3) an empty result.
        var replies: Set<String> = []
        for index in 1...5 { replies.insert(try await bridge.replies.next("reply \(index)")) }
        #expect(
            replies == [
                #"{"jsonrpc":"2.0","id":1,"result":{"customer":{"id":"cus_1"}}}"#,
                #"{"jsonrpc":"2.0","id":2,"result":{"exists":true}}"#,
                #"{"jsonrpc":"2.0","id":3,"result":{}}"#,
                #"{"jsonrpc":"2.0","id":4,"result":{"customer":{"id":"cus_1"}}}"#,
                #"{"jsonrpc":"2.0","id":5,"result":{"customer":{"id":"cus_1"}}}"#,
            ])
    }

    @Test("$/cancelRequest abandons a running request, which is answered -32800")
    func cancelRunning() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport)
        bridge.send(#"{"jsonrpc":"2.0","id":"slow","method":"auth.getSession"}"#)
        _ = try await transport.started.next("the request")
        bridge.send(#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"slow"}}"#)
        #expect(
            try await bridge.replies.next("the cancelled answer")
                == #"{"jsonrpc":"2.0","id":"slow","error":{"code":-32800,"message":"Request cancelled"}}"#)
        #expect(transport.waitingCount == 0)
        #expect(bridge.dispatcher.pendingCount == 0)
    }

    @Test("a $/cancelRequest in the same batch as its target cancels it, as one in a later frame would")
    func cancelInTheSameBatch() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport)
        bridge.send(
            #"[{"jsonrpc":"2.0","id":"y1","method":"auth.exists","params":{"email":"a@b.co"}},"#
                + #"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"y1"}}]"#)
        #expect(
            try await bridge.replies.next("the batch's answer")
                == #"[{"jsonrpc":"2.0","id":"y1","error":{"code":-32800,"message":"Request cancelled"}}]"#)
        #expect(transport.waitingCount == 0)
        #expect(bridge.dispatcher.pendingCount == 0 && bridge.dispatcher.runningCount == 0)
    }

    @Test("a call of one exchange runs without a task; a cancel aborts its exchange and it is answered -32800")
    func cancelRunningExchange() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport)
        bridge.send(#"{"jsonrpc":"2.0","id":"slow","method":"auth.exists","params":{"email":"a@b.co"}}"#)
        let exists = try await transport.started.next("the exists request")
        #expect(exists.withoutTask && exists.request.parsedURL?.path == "/store/auth/a@b.co")
        bridge.send(#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"slow"}}"#)
        #expect(
            try await bridge.replies.next("the cancelled answer")
                == #"{"jsonrpc":"2.0","id":"slow","error":{"code":-32800,"message":"Request cancelled"}}"#)
        #expect(transport.waitingCount == 0)
        #expect(bridge.dispatcher.pendingCount == 0 && bridge.dispatcher.runningCount == 0)
        // A method that is not one exchange (logout forgets the session whatever Medusa answers) still runs in a task.
        bridge.send(#"{"jsonrpc":"2.0","id":2,"method":"auth.deleteSession"}"#)
        let logout = try await transport.started.next("the logout request")
        #expect(!logout.withoutTask)
        transport.answer(logout.serial, .json(200, "OK"))
        #expect(try await bridge.replies.next("the logout answer") == #"{"jsonrpc":"2.0","id":2,"result":{}}"#)
    }

    /// Every method of one exchange: its call, the answer its request gets, and the reply that makes.
    static let exchanges: [(call: String, answer: HTTPResponse, reply: String)] = [
        (#""auth.exists","params":{"email":"a@b.co"}"#, .json(200, #"{"exists":true}"#), #""result":{"exists":true}"#),
        (#""auth.getSession""#, customer, #""result":{"customer":{"id":"cus_1"}}"#),
        (#""auth.authenticate","params":{"email":"a@b.co","password":"p"}"#, customer, #""result":{"customer":{"id":"cus_1"}}"#),
        (
            #""auth.getToken","params":{"email":"a@b.co","password":"p"}"#, .json(200, #"{"access_token":"t.t.t"}"#),
            #""result":{"access_token":"t.t.t"}"#
        ),
        (#""auth.resetPassword","params":{"identifier":"a@b.co"}"#, .json(201, "Created"), #""result":{}"#),
        (#""auth.updateProvider","params":{"token":"t.t.t","password":"n"}"#, .json(200, #"{"success":true}"#), #""result":{}"#),
        (#""store.customer.retrieve""#, customer, #""result":{"customer":{"id":"cus_1"}}"#),
        (#""store.customer.create","params":{"email":"a@b.co"}"#, customer, #""result":{"customer":{"id":"cus_1"}}"#),
        (#""store.customer.update","params":{"first_name":"A"}"#, customer, #""result":{"customer":{"id":"cus_1"}}"#),
        (#""auth.exists","params":{"email":"a@b.co"}"#, .json(200, #"{"exists":"yes"}"#), #""error":{"code":-32003"#),
        (#""auth.getToken","params":{"email":"a@b.co","password":"p"}"#, .json(401, "Unauthorized"), #""error":{"code":-32001"#),
    ]

    @Test("each method of one exchange runs without a task and is answered with what its exchange made of the answer", arguments: exchanges)
    func exchangeWithoutTask(call: String, answer: HTTPResponse, reply: String) async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport, publishableKey: "pk_test")
        bridge.send(#"{"jsonrpc":"2.0","id":1,"method":\#(call)}"#)
        let exchange = try await transport.started.next("the request")
        #expect(exchange.withoutTask)
        transport.answer(exchange.serial, answer)
        let answered = try await bridge.replies.next("the answer")
        #expect(answered.hasPrefix(#"{"jsonrpc":"2.0","id":1,\#(reply)"#), "\(answered)")
        #expect(bridge.dispatcher.pendingCount == 0 && bridge.dispatcher.runningCount == 0)
    }

    @Test("a method of one exchange refused before its request (no publishable key) is answered -32602 and sends nothing")
    func exchangeRefusedBeforeItsRequest() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport)
        let reply = try await bridge.call(#"{"jsonrpc":"2.0","id":1,"method":"store.customer.retrieve"}"#)
        #expect(reply.hasPrefix(#"{"jsonrpc":"2.0","id":1,"error":{"code":-32602"#))
        #expect(transport.started.pending.isEmpty)
    }

    @Test("with retries on, a call of one exchange runs in a task, whose retries wait between attempts")
    func retriesKeepTheTask() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport, retries: 1)
        bridge.send(#"{"jsonrpc":"2.0","id":1,"method":"auth.exists","params":{"email":"a@b.co"}}"#)
        let exists = try await transport.started.next("the exists request")
        #expect(!exists.withoutTask)
        transport.answer(exists.serial, .json(200, #"{"exists":true}"#))
        #expect(try await bridge.replies.next("the answer") == #"{"jsonrpc":"2.0","id":1,"result":{"exists":true}}"#)
    }

    @Test("an exchange answered before its cancel arrives is answered with what it got, and the cancel finds nothing")
    func exchangeFinishedBeforeCancel() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport)
        bridge.send(#"{"jsonrpc":"2.0","id":7,"method":"auth.exists","params":{"email":"a@b.co"}}"#)
        let exists = try await transport.started.next("the exists request")
        transport.answer(exists.serial, .json(200, #"{"exists":false}"#))
        #expect(try await bridge.replies.next("the answer") == #"{"jsonrpc":"2.0","id":7,"result":{"exists":false}}"#)
        try await bridge.expectNoReply(to: #"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":7}}"#)
        #expect(bridge.dispatcher.pendingCount == 0)
    }

    @Test("a request cancelled while it waits behind a login is answered -32800 and never sent")
    func cancelWaiting() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport)
        bridge.send(#"{"jsonrpc":"2.0","id":1,"method":"auth.getToken","params":{"email":"a@b.co","password":"p"}}"#)
        bridge.send(#"{"jsonrpc":"2.0","id":2,"method":"auth.getSession"}"#)
        bridge.send(#"{"jsonrpc":"2.0","id":3,"method":"auth.exists","params":["a@b.co"]}"#)
        let login = try await transport.started.next("the token request")
        bridge.send(#"{"jsonrpc":"2.0","id":4,"method":"$/cancelRequest","params":{"id":2}}"#)
        var replies = [try await bridge.replies.next("cancel ack"), try await bridge.replies.next("cancelled answer")]
        #expect(replies.contains(#"{"jsonrpc":"2.0","id":4,"result":{}}"#))
        #expect(replies.contains(#"{"jsonrpc":"2.0","id":2,"error":{"code":-32800,"message":"Request cancelled"}}"#))
        transport.answer(login.serial, .json(200, #"{"access_token":"t.t.t"}"#))
        let exists = try await transport.started.next("the exists request")
        #expect(exists.answeredBefore == 1)
        #expect(exists.request.parsedURL?.path.hasPrefix("/store/auth/") == true)
        #expect(exists.request.headers["Authorization"] == "Bearer t.t.t")
        transport.answer(exists.serial, .json(200, #"{"exists":true}"#))
        replies = [try await bridge.replies.next("reply 1"), try await bridge.replies.next("reply 3")]
        #expect(replies.contains(#"{"jsonrpc":"2.0","id":3,"result":{"exists":true}}"#))
        #expect(transport.started.pending.isEmpty)
    }

    @Test("cancelAll answers every running request -32800")
    func cancelAll() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport)
        for id in 1...3 { bridge.send(#"{"jsonrpc":"2.0","id":\#(id),"method":"auth.getSession","params":{"session":"s\#(id)"}}"#) }
        for index in 1...3 { _ = try await transport.started.next("request \(index)") }
        bridge.dispatcher.cancelAll()
        var replies: Set<String> = []
        for index in 1...3 { replies.insert(try await bridge.replies.next("reply \(index)")) }
        #expect(replies == Set((1...3).map { #"{"jsonrpc":"2.0","id":\#($0),"error":{"code":-32800,"message":"Request cancelled"}}"# }))
    }

    @Test("different sessions never wait for each other, even behind a held login")
    func sessionsIndependent() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport)
        bridge.send(#"{"jsonrpc":"2.0","id":1,"method":"auth.authenticate","params":{"email":"a@b.co","password":"p","session":"alice"}}"#)
        bridge.send(#"{"jsonrpc":"2.0","id":2,"method":"auth.authenticate","params":{"email":"b@b.co","password":"p","session":"bob"}}"#)
        let first = try await transport.started.next("alice's login")
        let second = try await transport.started.next("bob's login")
        #expect(Set([first.request.body, second.request.body].compactMap { $0.map { String(decoding: $0, as: UTF8.self) } }).count == 2)
        transport.answer(first.serial, Self.customer)
        transport.answer(second.serial, Self.customer)
        #expect(
            Set([try await bridge.replies.next("reply 1"), try await bridge.replies.next("reply 2")]) == [
                #"{"jsonrpc":"2.0","id":1,"result":{"customer":{"id":"cus_1"}}}"#,
                #"{"jsonrpc":"2.0","id":2,"result":{"customer":{"id":"cus_1"}}}"#,
            ])
    }
}

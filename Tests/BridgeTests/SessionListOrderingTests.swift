import Foundation
import JSON
import MedusaStore
import Testing

@testable import Bridge

/// `session.list` in the request path: it sees the state changes read before it, in every session,
/// without holding later calls back or making sessions wait for each other; `ping` stays immediate.
@Suite("session.list ordering")
struct SessionListOrderingTests {
    static let customer = HTTPResponse(
        status: 200, headers: ["Set-Cookie": "connect.sid=s1; Path=/"], body: Array(#"{"customer":{"id":"cus_1"}}"#.utf8))
    static let token = HTTPResponse.json(200, #"{"access_token":"t.t.t"}"#)

    /// The sessions of a `session.list` reply as (name, hasCookie, hasToken).
    static func sessions(_ reply: String) throws -> [String] {
        let sessions = try #require(try parse(reply)["result"]?["sessions"]?.arrayValue)
        return sessions.map { session in
            let name = session["name"]?.stringValue ?? "?"
            return "\(name) cookie:\(session["hasCookie"] == .bool(true)) token:\(session["hasToken"] == .bool(true))"
        }
    }

    @Test("a session.list pipelined after an auth.getToken is answered after it and lists the token; a ping is not held")
    func listWaitsForEarlierStateChange() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport)
        bridge.send(#"{"jsonrpc":"2.0","id":1,"method":"auth.getToken","params":{"email":"a@b.co","password":"p","session":"a"}}"#)
        let login = try await transport.started.next("the getToken request")
        bridge.send(#"{"jsonrpc":"2.0","id":2,"method":"session.list"}"#)
        // The list waits for the token; a ping read after it does not.
        #expect(try await bridge.call(#"{"jsonrpc":"2.0","id":"p","method":"ping"}"#) == #"{"jsonrpc":"2.0","id":"p","result":{}}"#)
        transport.answer(login.serial, Self.token)
        #expect(try await bridge.replies.next("the getToken answer") == #"{"jsonrpc":"2.0","id":1,"result":{"access_token":"t.t.t"}}"#)
        let list = try await bridge.replies.next("the list")
        #expect(list.hasPrefix(#"{"jsonrpc":"2.0","id":2,"#))
        #expect(try Self.sessions(list) == ["a cookie:false token:true"])
        #expect(bridge.dispatcher.pendingCount == 0)
    }

    @Test("a session.clear notification then a session.list: the list no longer shows the session")
    func listSeesAClearNotification() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport)
        bridge.send(#"{"jsonrpc":"2.0","id":1,"method":"auth.authenticate","params":{"email":"a@b.co","password":"p","session":"a"}}"#)
        transport.answer(try await transport.started.next("the login").serial, Self.customer)
        _ = try await bridge.replies.next("the login's answer")
        bridge.send(#"{"jsonrpc":"2.0","method":"session.clear","params":{"session":"a"}}"#)
        bridge.send(#"{"jsonrpc":"2.0","id":2,"method":"session.list"}"#)
        #expect(try await bridge.replies.next("the list") == #"{"jsonrpc":"2.0","id":2,"result":{"sessions":[]}}"#)
    }

    @Test("a waiting session.list holds back neither other sessions nor its own session's later calls, and shows state from before them")
    func listHoldsNothingBack() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport)
        bridge.send(#"{"jsonrpc":"2.0","id":1,"method":"auth.getToken","params":{"email":"a@b.co","password":"p","session":"a"}}"#)
        let token = try await transport.started.next("the getToken request")
        bridge.send(#"{"jsonrpc":"2.0","id":2,"method":"session.list"}"#)
        bridge.send(#"{"jsonrpc":"2.0","id":3,"method":"auth.deleteSession","params":{"session":"a"}}"#)
        bridge.send(#"{"jsonrpc":"2.0","id":4,"method":"auth.authenticate","params":{"email":"b@b.co","password":"p","session":"b"}}"#)
        // Session b's login starts and is answered while the list still waits for session a.
        let other = try await transport.started.next("session b's login")
        #expect(other.request.method == "POST" && other.request.parsedURL?.path == "/store/auth")
        transport.answer(other.serial, Self.customer)
        #expect(try await bridge.replies.next("session b's answer").hasPrefix(#"{"jsonrpc":"2.0","id":4,"#))
        #expect(transport.started.pending.isEmpty)
        transport.answer(token.serial, Self.token)
        _ = try await bridge.replies.next("the getToken answer")
        // Session a as getToken left it, before the logout read after the list; session b as it was
        // when the list was read (its login came later).
        #expect(try Self.sessions(try await bridge.replies.next("the list")) == ["a cookie:false token:true"])
        let logout = try await transport.started.next("the logout")
        #expect(logout.request.method == "DELETE")
        transport.answer(logout.serial, .json(200, "OK"))
        #expect(try await bridge.replies.next("the logout answer") == #"{"jsonrpc":"2.0","id":3,"result":{}}"#)
        #expect(bridge.dispatcher.pendingCount == 0)
    }

    @Test("a session.list waiting for a state change can be cancelled, and the session's later calls still run")
    func waitingListCancelled() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport)
        bridge.send(#"{"jsonrpc":"2.0","id":1,"method":"auth.authenticate","params":{"email":"a@b.co","password":"p","session":"a"}}"#)
        let login = try await transport.started.next("the login")
        bridge.send(#"{"jsonrpc":"2.0","id":"list","method":"session.list"}"#)
        bridge.send(#"{"jsonrpc":"2.0","id":2,"method":"auth.getSession","params":{"session":"a"}}"#)
        #expect(
            try await bridge.call(#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"list"}}"#)
                == #"{"jsonrpc":"2.0","id":"list","error":{"code":-32800,"message":"Request cancelled"}}"#)
        transport.answer(login.serial, Self.customer)
        _ = try await bridge.replies.next("the login's answer")
        let session = try await transport.started.next("the getSession after the login")
        #expect(session.request.headers["Cookie"] == "connect.sid=s1")
        transport.answer(session.serial, Self.customer)
        #expect(try await bridge.replies.next("the getSession answer").hasPrefix(#"{"jsonrpc":"2.0","id":2,"#))
        #expect(bridge.dispatcher.pendingCount == 0)
    }
}

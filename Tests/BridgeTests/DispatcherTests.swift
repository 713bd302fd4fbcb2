import Foundation
import JSON
import MedusaStore
import Testing

@testable import Bridge

/// The dispatcher in-process, over scripted transports: protocol rules, params, errors, batches.
@Suite("Dispatcher")
struct DispatcherTests {
    static let customer = #"{"customer":{"id":"cus_1","email":"oli@test.dk","has_account":true}}"#

    func harness(_ outcomes: [FakeOutcome] = []) -> (Harness, ScriptedTransport) {
        let transport = ScriptedTransport(outcomes)
        return (Harness(transport: transport), transport)
    }

    @Test("ping answers the empty object with the id's original type")
    func ping() async throws {
        let (bridge, _) = harness()
        #expect(try await bridge.call(#"{"jsonrpc":"2.0","id":"7","method":"ping"}"#) == #"{"jsonrpc":"2.0","id":"7","result":{}}"#)
        #expect(try await bridge.call(#"{"jsonrpc":"2.0","id":7,"method":"ping","params":[]}"#) == #"{"jsonrpc":"2.0","id":7,"result":{}}"#)
        #expect(try await bridge.call(#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#) == #"{"jsonrpc":"2.0","id":null,"result":{}}"#)
    }

    @Test("initialize reports the protocol and server, and refuses an unsupported version with both named")
    func initialize() async throws {
        let (bridge, _) = harness()
        #expect(
            try await bridge.call(
                #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"1.0","clientInfo":{"name":"t"}}}"#)
                == #"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"1.0","serverInfo":{"name":"medusa-auth-bridge","version":"0.1.0"}}}"#
        )
        #expect(
            try await bridge.call(#"{"jsonrpc":"2.0","id":2,"method":"initialize","params":{"protocolVersion":"9.9"}}"#)
                == #"{"jsonrpc":"2.0","id":2,"error":{"code":-32602,"message":"Unsupported protocol version 9.9","data":{"supported":["1.0"],"requested":"9.9"}}}"#
        )
    }

    @Test("parse errors and invalid requests are answered with the ids JSON-RPC prescribes")
    func protocolErrors() async throws {
        let (bridge, _) = harness()
        #expect(try await bridge.call("{oops").hasPrefix(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700"#))
        #expect(
            try await bridge.call("[]")
                == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: an empty batch"}}"#)
        #expect(
            try await bridge.call(#"{"jsonrpc":"2.0","id":5,"method":"nope"}"#)
                == #"{"jsonrpc":"2.0","id":5,"error":{"code":-32601,"message":"Method not found: nope"}}"#)
        #expect(try await bridge.call(#"{"id":5,"method":"ping"}"#).hasPrefix(#"{"jsonrpc":"2.0","id":5,"error":{"code":-32600"#))
    }

    @Test("notifications are never answered, not even when they fail")
    func notifications() async throws {
        let (bridge, _) = harness()
        for text in [
            #"{"jsonrpc":"2.0","method":"ping"}"#, #"{"jsonrpc":"2.0","method":"nope"}"#,
            #"{"jsonrpc":"2.0","method":"auth.exists","params":{}}"#,
            #"{"jsonrpc":"2.0","method":"$/unknown"}"#,
        ] {
            try await bridge.expectNoReply(to: text)
        }
    }

    @Test("a batch is answered as one array in request order, without its notifications")
    func batch() async throws {
        let (bridge, _) = harness([.success(.json(200, #"{"exists":true}"#))])
        let reply = try await bridge.call(
            #"[{"jsonrpc":"2.0","id":1,"method":"auth.exists","params":["a@b.co"]},{"jsonrpc":"2.0","method":"ping"},1,{"jsonrpc":"2.0","id":2,"method":"ping"}]"#
        )
        #expect(
            reply
                == #"[{"jsonrpc":"2.0","id":1,"result":{"exists":true}},{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: a request must be an object, not number"}},{"jsonrpc":"2.0","id":2,"result":{}}]"#
        )
        try await bridge.expectNoReply(to: #"[{"jsonrpc":"2.0","method":"ping"},{"jsonrpc":"2.0","method":"ping"}]"#)
    }

    @Test(
        "invalid params are -32602 and name the offending field, never its value",
        arguments: [
            (#"{"email":"a@b.co"}"#, "password", "missing required param 'password'"),
            (#"{"email":1,"password":"secret-pw"}"#, "email", "'email' must be a string, not number"),
            (#"{"email":"a@b.co","password":"secret-pw","remember":true}"#, "remember", "unknown param 'remember'"),
            (#"{"email":"a@b.co","password":"secret-pw","session":""}"#, "session", "'session' must not be empty"),
            (
                #"{"email":"a@b.co","password":"secret-pw","customHeaders":[]}"#, "customHeaders",
                "'customHeaders' must be an object of strings, not array"
            ),
            (
                #"{"email":"a@b.co","password":"secret-pw","customHeaders":{"X":1}}"#, "customHeaders.X",
                "'customHeaders.X' must be a string, not number"
            ),
            (
                #"{"email":"a@b.co","password":"secret-pw","customHeaders":{"X":"a\r\nInjected: 1"}}"#, "customHeaders.X",
                "'customHeaders.X' holds a control character"
            ),
            (
                #"{"email":"a@b.co","password":"secret-pw","customHeaders":{"Bad Name":"v"}}"#, "customHeaders.Bad Name",
                "'Bad Name' is not a valid header name"
            ),
            (
                #"{"email":"a@b.co","password":"secret-pw","customHeaders":{"content-length":"0"}}"#, "customHeaders.content-length",
                "'content-length' is set by the HTTP layer and cannot be given"
            ),
            (
                #"{"email":"a@b.co","password":"secret-pw","customHeaders":{"Transfer-Encoding":"chunked"}}"#,
                "customHeaders.Transfer-Encoding", "'Transfer-Encoding' is set by the HTTP layer and cannot be given"
            ),
            (
                #"[{"email":"a@b.co","password":"secret-pw","session":"alice"}]"#, "payload.session",
                "unknown payload member 'session' (by-position calls use the default session; name the params to choose options)"
            ),
            (
                #"[{"email":"a@b.co","password":"secret-pw","customHeaders":{"X":"1"}}]"#, "payload.customHeaders",
                "unknown payload member 'customHeaders' (by-position calls use the default session; name the params to choose options)"
            ),
            (#"[{"email":"a@b.co","password":"secret-pw"},{},"extra"]"#, nil, "expected at most 2 params by position, got 3"),
            (#"["a@b.co"]"#, "payload", "payload must be an object, not string"),
        ] as [(String, String?, String)])
    func invalidParams(params: String, field: String?, message: String) async throws {
        let (bridge, transport) = harness()
        let reply = try parse(try await bridge.call(#"{"jsonrpc":"2.0","id":1,"method":"auth.authenticate","params":\#(params)}"#))
        #expect(reply["error"]?["code"] == -32602)
        #expect(reply["error"]?["message"]?.stringValue == "Invalid params: " + message)
        #expect(reply["error"]?["data"]?["field"]?.stringValue == field)
        #expect(!(reply.jsonText.contains("secret-pw")))
        #expect(transport.requests.isEmpty)
    }

    @Test(
        "auth.exists refuses an email that would change the route (empty, '.', '..') and sends nothing",
        arguments: [#"[""]"#, #"{"email":""}"#, #"["."]"#, #"{"email":".."}"#])
    func existsRefusesRouteChangingEmails(params: String) async throws {
        let (bridge, transport) = harness()
        let reply = try parse(try await bridge.call(#"{"jsonrpc":"2.0","id":1,"method":"auth.exists","params":\#(params)}"#))
        #expect(reply["error"]?["code"] == -32602)
        #expect(reply["error"]?["data"]?["field"] == "email")
        #expect(transport.requests.isEmpty)
    }

    @Test("auth.exists percent-encodes every other email as one path segment")
    func existsEncodesOneSegment() async throws {
        let (bridge, transport) = harness([.success(.json(200, #"{"exists":false}"#))])
        _ = try await bridge.call(#"{"jsonrpc":"2.0","id":1,"method":"auth.exists","params":["../a/b?c#d%2e@x.io"]}"#)
        #expect(transport.requests.map { $0.url } == ["http://127.0.0.1:9000/store/auth/..%2Fa%2Fb%3Fc%23d%252e@x.io"])
    }

    @Test("by-position params follow medusa-js's argument order and use the default session")
    func byPosition() async throws {
        let (bridge, transport) = harness([.success(.json(200, Self.customer)), .success(.json(200, #"{"exists":false}"#))])
        _ = try await bridge.call(
            #"{"jsonrpc":"2.0","id":1,"method":"auth.authenticate","params":[{"email":"a@b.co","password":"pw"},{"X-Trace":"t1"}]}"#)
        _ = try await bridge.call(#"{"jsonrpc":"2.0","id":2,"method":"auth.exists","params":["a@b.co",{"X-Trace":"t2"}]}"#)
        #expect(transport.requests.map(\.method) == ["POST", "GET"])
        #expect(transport.requests.map { $0.headers["X-Trace"] } == ["t1", "t2"])
        #expect(transport.requests[0].body.map { String(decoding: $0, as: UTF8.self) } == #"{"email":"a@b.co","password":"pw"}"#)
        let sessions = try parse(try await bridge.call(#"{"jsonrpc":"2.0","id":3,"method":"session.list"}"#))
        #expect(sessions["result"]?["sessions"]?.arrayValue?.map { $0["name"] } == ["default"])
    }

    @Test("Medusa's failures become -32001, -32002 and -32003 with the documented data")
    func backendErrors() async throws {
        let (bridge, _) = harness([
            .success(.json(401, "Unauthorized")),
            .success(.json(404, #"{"type":"not_found","message":"Customer with id: cus_9 was not found"}"#)),
            .failure(TransportError(.refused, "URLError -1004: connection refused")),
            .success(.json(200, "<html>")),
            .success(.json(503, "")),
        ])
        #expect(
            try await bridge.call(#"{"jsonrpc":"2.0","id":1,"method":"auth.getSession"}"#)
                == #"{"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"Medusa answered 401: Unauthorized","data":{"status":401,"body":"Unauthorized"}}}"#
        )
        #expect(
            try await bridge.call(#"{"jsonrpc":"2.0","id":2,"method":"auth.getSession"}"#)
                == #"{"jsonrpc":"2.0","id":2,"error":{"code":-32001,"message":"Medusa answered 404: Customer with id: cus_9 was not found","data":{"status":404,"type":"not_found","message":"Customer with id: cus_9 was not found"}}}"#
        )
        #expect(
            try await bridge.call(#"{"jsonrpc":"2.0","id":3,"method":"auth.getSession"}"#)
                == #"{"jsonrpc":"2.0","id":3,"error":{"code":-32002,"message":"No answer from Medusa (refused) after 1 attempt","data":{"reason":"refused","attempts":1,"detail":"URLError -1004: connection refused"}}}"#
        )
        #expect(
            try await bridge.call(#"{"jsonrpc":"2.0","id":4,"method":"auth.getSession"}"#)
                == #"{"jsonrpc":"2.0","id":4,"error":{"code":-32003,"message":"Medusa answered 200 with a body that is not the JSON expected","data":{"status":200,"body":"<html>"}}}"#
        )
        #expect(
            try await bridge.call(#"{"jsonrpc":"2.0","id":5,"method":"auth.getSession"}"#)
                == #"{"jsonrpc":"2.0","id":5,"error":{"code":-32001,"message":"Medusa answered 503","data":{"status":503,"body":""}}}"#
        )
    }

    @Test("deleteSession answers {} whatever Medusa's text body, and session.clear forgets a session")
    func logoutAndClear() async throws {
        let (bridge, _) = harness([
            .success(.json(200, Self.customer, headers: ["Set-Cookie": "connect.sid=s1; Path=/"])), .success(.json(200, "OK")),
            .success(.json(200, Self.customer, headers: ["Set-Cookie": "connect.sid=s2; Path=/"])),
        ])
        _ = try await bridge.call(
            #"{"jsonrpc":"2.0","id":1,"method":"auth.authenticate","params":{"email":"a@b.co","password":"p","session":"a"}}"#)
        #expect(
            try await bridge.call(#"{"jsonrpc":"2.0","id":2,"method":"session.list"}"#)
                == #"{"jsonrpc":"2.0","id":2,"result":{"sessions":[{"name":"a","hasCookie":true,"hasToken":false,"customerId":"cus_1"}]}}"#)
        #expect(
            try await bridge.call(#"{"jsonrpc":"2.0","id":3,"method":"auth.deleteSession","params":{"session":"a"}}"#)
                == #"{"jsonrpc":"2.0","id":3,"result":{}}"#)
        #expect(
            try await bridge.call(#"{"jsonrpc":"2.0","id":4,"method":"session.list"}"#)
                == #"{"jsonrpc":"2.0","id":4,"result":{"sessions":[{"name":"a","hasCookie":false,"hasToken":false,"customerId":null}]}}"#)
        _ = try await bridge.call(
            #"{"jsonrpc":"2.0","id":5,"method":"auth.authenticate","params":{"email":"a@b.co","password":"p","session":"b"}}"#)
        #expect(
            try await bridge.call(#"{"jsonrpc":"2.0","id":6,"method":"session.clear","params":{"session":"b"}}"#)
                == #"{"jsonrpc":"2.0","id":6,"result":{}}"#)
        #expect(
            try await bridge.call(#"{"jsonrpc":"2.0","id":7,"method":"session.list"}"#)
                == #"{"jsonrpc":"2.0","id":7,"result":{"sessions":[{"name":"a","hasCookie":false,"hasToken":false,"customerId":null}]}}"#)
    }
}

import JSON
import JSONRPC
import Testing

@Suite("JSON-RPC messages, golden in both directions")
struct MessageTests {
    private func decode(_ text: String) throws -> Incoming { try Incoming.decode(Array(text.utf8)) }

    @Test("a request keeps its id type and its params form")
    func requests() throws {
        #expect(
            try decode(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
                == .single(.success(Request(id: .number(JSONNumber(1)), method: "ping"))))
        #expect(
            try decode(#"{"jsonrpc":"2.0","id":"1","method":"m","params":[1]}"#)
                == .single(.success(Request(id: .string("1"), method: "m", params: .byPosition([1])))))
        #expect(
            try decode(#"{"jsonrpc":"2.0","id":null,"method":"m","params":{"a":"b"}}"#)
                == .single(.success(Request(id: .null, method: "m", params: .byName(JSONObject([(key: "a", value: "b")]))))))
    }

    @Test("a message without an id member is a notification; id null is a request")
    func notifications() throws {
        guard case .single(.success(let notification)) = try decode(#"{"jsonrpc":"2.0","method":"m"}"#) else {
            Issue.record("not decoded")
            return
        }
        #expect(notification.isNotification)
        guard case .single(.success(let request)) = try decode(#"{"jsonrpc":"2.0","method":"m","id":null}"#) else {
            Issue.record("not decoded")
            return
        }
        #expect(!request.isNotification)
    }

    @Test(
        "invalid requests keep a readable id and use null otherwise",
        arguments: [
            (#"{"jsonrpc":"1.0","id":7,"method":"m"}"#, RequestID.number(JSONNumber(7))),
            (#"{"id":"x","method":"m"}"#, .string("x")),
            (#"{"jsonrpc":"2.0","id":7,"method":1}"#, .number(JSONNumber(7))),
            (#"{"jsonrpc":"2.0","id":7,"method":"m","params":"p"}"#, .number(JSONNumber(7))),
            (#"{"jsonrpc":"2.0","id":{},"method":"m"}"#, .null),
            (#"{"jsonrpc":"2.0","id":[1],"method":"m"}"#, .null),
            (#"1"#, .null),
            (#""s""#, .null),
        ])
    func invalid(text: String, id: RequestID) throws {
        guard case .single(.failure(let invalid)) = try decode(text) else {
            Issue.record("expected an invalid request")
            return
        }
        #expect(invalid.id == id)
        #expect(invalid.error.code == .invalidRequest)
    }

    @Test("a string id whose lone surrogate was replaced cannot be echoed, so it is answered as unreadable")
    func loneSurrogateID() throws {
        guard case .single(.failure(let invalid)) = try decode(#"{"jsonrpc":"2.0","id":"a\ud800","method":"ping"}"#) else {
            Issue.record("expected an invalid request")
            return
        }
        #expect(invalid.id == .null)
        #expect(invalid.error.code == .invalidRequest)
        // A real U+FFFD in the id, with no replacement anywhere, is echoed as sent.
        guard case .single(.success(let request)) = try decode(#"{"jsonrpc":"2.0","id":"a\ufffd","method":"ping","params":["x"]}"#)
        else {
            Issue.record("expected a request")
            return
        }
        #expect(request.id == .string("a\u{FFFD}"))
    }

    @Test("a batch decodes each element on its own")
    func batch() throws {
        guard case .batch(let elements) = try decode(#"[{"jsonrpc":"2.0","id":1,"method":"a"},2,{"jsonrpc":"2.0","method":"n"}]"#) else {
            Issue.record("expected a batch")
            return
        }
        #expect(elements.count == 3)
        #expect((try? elements[0].get())?.method == "a")
        #expect((try? elements[1].get()) == nil)
        #expect((try? elements[2].get())?.isNotification == true)
    }

    @Test("success and error responses encode to the exact golden JSON")
    func responsesGolden() {
        let success = Response.encode([.success(.string("a"), ["customer": ["id": "cus_1"]])], asBatch: false)
        #expect(String(decoding: success, as: UTF8.self) == #"{"jsonrpc":"2.0","id":"a","result":{"customer":{"id":"cus_1"}}}"#)
        let failure = Response.encode([.failure(.null, .parseError("bad"))], asBatch: false)
        #expect(
            String(decoding: failure, as: UTF8.self) == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: bad"}}"#
        )
        let params = Response.encode(
            [.failure(.number(JSONNumber(3)), .invalidParams("'email' must be a string", field: "email"))], asBatch: false)
        #expect(
            String(decoding: params, as: UTF8.self)
                == #"{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"Invalid params: 'email' must be a string","data":{"field":"email"}}}"#
        )
        let batch = Response.encode(
            [.success(.number(JSONNumber(1)), [:]), .failure(.number(JSONNumber(2)), .requestCancelled)], asBatch: true)
        #expect(
            String(decoding: batch, as: UTF8.self)
                == #"[{"jsonrpc":"2.0","id":1,"result":{}},{"jsonrpc":"2.0","id":2,"error":{"code":-32800,"message":"Request cancelled"}}]"#
        )
    }

    @Test("every standard and bridge error code has its documented value")
    func errorCodes() {
        #expect(
            [
                ErrorCode.parseError, .invalidRequest, .methodNotFound, .invalidParams, .internalError, .requestCancelled,
                .medusaHTTPError, .medusaUnreachable, .medusaBadResponse,
            ].map(\.rawValue)
                == [-32700, -32600, -32601, -32602, -32603, -32800, -32001, -32002, -32003])
    }
}

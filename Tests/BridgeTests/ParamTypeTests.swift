import Foundation
import JSON
import MedusaStore
import Testing

@testable import Bridge

/// The params the bridge accepts are the ones `schema/openrpc.json` types: null only where the schema
/// allows it (and then, where it says so, exactly as if the param were left out), and the bridge's
/// own methods' params with the types they declare.
@Suite("Param types against the schema")
struct ParamTypeTests {
    /// A param of a schema method, its `$ref` resolved.
    struct Param {
        var name: String
        var required: Bool
        var nullable: Bool
        /// The description says that null is the same as leaving the param out.
        var nullIsAbsent: Bool
    }

    static func params(_ method: JSONValue, _ schema: JSONValue) -> [Param] {
        (method["params"]?.arrayValue ?? []).map { param in
            var param = param
            if let reference = param["$ref"]?.stringValue {
                param = schema["components"]?["contentDescriptors"]?[String(reference.split(separator: "/").last!)] ?? param
            }
            let type = param["schema"]?["type"]
            return Param(
                name: param["name"]?.stringValue ?? "", required: param["required"] == true,
                nullable: type == "null" || type?.arrayValue?.contains("null") == true,
                nullIsAbsent: param["description"]?.stringValue?.contains("null is the same as leaving it out") == true)
        }
    }

    /// Params that make a call valid, so that the param under test is the only thing wrong with it:
    /// every required one, and those a method needs without the schema requiring them (emailpass's
    /// email and password, a new password without a provider payload).
    static func validParams(_ method: String, _ params: [Param]) -> JSONObject {
        let values: [String: JSONValue] = ["id": 1, "session": "s", "provider": "google"]
        var object = JSONObject()
        for param in params where param.required { object[param.name] = values[param.name] ?? "a@b.co" }
        switch method {
        case "auth.login", "auth.register":
            object["email"] = "a@b.co"
            object["password"] = "p"
        case "auth.updateProvider": object["password"] = "p"
        default: break
        }
        return object
    }

    /// The answer and the requests of one call, on a fresh bridge with a publishable key.
    func outcome(_ method: String, _ params: JSONObject) async throws -> (reply: JSONValue, requests: [HTTPRequest]) {
        let transport = ScriptedTransport([])
        let bridge = Harness(transport: transport, publishableKey: "pk_test")
        let message = JSONValue.object(
            JSONObject([
                (key: "jsonrpc", value: "2.0"), (key: "id", value: 1), (key: "method", value: .string(method)),
                (key: "params", value: .object(params)),
            ])
        )
        let reply = try parse(try await bridge.call(message.jsonText))
        return (reply, transport.requests)
    }

    @Test("null is refused, naming the param, unless the schema allows it; where it says null is the same as leaving the param out, it is")
    func nullMatchesTheSchema() async throws {
        let schema = try SchemaTests.schema()
        var checked = 0
        for method in try #require(schema["methods"]?.arrayValue) {
            let name = try #require(method["name"]?.stringValue)
            let params = Self.params(method, schema)
            let valid = Self.validParams(name, params)
            for param in params {
                var withNull = valid
                withNull[param.name] = .null
                let nulled = try await outcome(name, withNull)
                let refusedIt = nulled.reply["error"]?["code"] == -32602 && nulled.reply["error"]?["data"]?["field"] == .string(param.name)
                #expect(refusedIt == !param.nullable, "\(name) \(param.name): null gave \(nulled.reply.jsonText)")
                if param.nullIsAbsent {
                    var without = valid
                    without[param.name] = nil
                    let left = try await outcome(name, without)
                    #expect(
                        nulled.reply == left.reply,
                        "\(name) \(param.name): null gave \(nulled.reply.jsonText), left out \(left.reply.jsonText)")
                    #expect(nulled.requests == left.requests, "\(name) \(param.name): null sent other requests than leaving it out")
                }
                checked += 1
            }
        }
        #expect(checked > 70)
    }

    @Test(
        "initialize refuses a clientInfo name or version that is not a string, naming the member",
        arguments: [
            (#"{"name":5}"#, "clientInfo.name", "'clientInfo.name' must be a string, not number"),
            (#"{"name":"t","version":1.2}"#, "clientInfo.version", "'clientInfo.version' must be a string, not number"),
            (#"{"name":null}"#, "clientInfo.name", "'clientInfo.name' must be a string, not null"),
            (#"{"name":["t"]}"#, "clientInfo.name", "'clientInfo.name' must be a string, not array"),
        ])
    func clientInfoMembers(info: String, field: String, message: String) async throws {
        let bridge = Harness(transport: ScriptedTransport([]))
        let reply = try parse(try await bridge.call(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"clientInfo":\#(info)}}"#))
        #expect(reply["error"]?["code"] == -32602)
        #expect(reply["error"]?["data"]?["field"] == .string(field))
        #expect(reply["error"]?["message"] == .string("Invalid params: \(message)"))
        let other = try await bridge.call(
            #"{"jsonrpc":"2.0","id":2,"method":"initialize","params":{"clientInfo":{"name":"t","version":"1","extra":5}}}"#)
        #expect(try parse(other)["result"]?["protocolVersion"] == "1.0")
    }

    @Test(
        "$/cancelRequest sent with an id is answered {} for a string or an integer id, however written, and -32602 for any other",
        arguments: [
            (#""7""#, true), ("7", true), ("-7", true), ("7.0", true), ("7e2", true), ("7E+2", true), ("700e-2", true),
            ("1e999999999999999999999", true),
            ("123456789012345678901234", true), ("7.5", false), ("7e-1", false), ("0.0001", false), ("1e-999999999999999999999", false),
            ("1e9223372036854775807", true), ("12e9223372036854775806", true),
            ("1e-9223372036854775808", false),
            ("null", false), ("true", false), ("{}", false), ("[7]", false),
        ])
    func cancelRequestIDs(id: String, accepted: Bool) async throws {
        let bridge = Harness(transport: ScriptedTransport([]))
        let reply = try parse(try await bridge.call(#"{"jsonrpc":"2.0","id":"c","method":"$/cancelRequest","params":{"id":\#(id)}}"#))
        if accepted {
            #expect(reply["result"] == [:], "\(id): \(reply.jsonText)")
        } else {
            #expect(reply["error"]?["code"] == -32602, "\(id): \(reply.jsonText)")
            #expect(reply["error"]?["data"]?["field"] == "id")
        }
    }

    @Test("a session.clear cancelled while it waits behind a login is answered -32800 and leaves the session as it was")
    func sessionClearCancelled() async throws {
        let transport = HeldTransport()
        let bridge = Harness(transport: transport)
        bridge.send(#"{"jsonrpc":"2.0","id":1,"method":"auth.getToken","params":{"email":"a@b.co","password":"p","session":"k"}}"#)
        let login = try await transport.started.next("the token request")
        bridge.send(#"{"jsonrpc":"2.0","id":2,"method":"session.clear","params":{"session":"k"}}"#)
        bridge.send(#"{"jsonrpc":"2.0","id":3,"method":"$/cancelRequest","params":{"id":2}}"#)
        let replies = [try await bridge.replies.next("cancel ack"), try await bridge.replies.next("cancelled clear")]
        #expect(replies.contains(#"{"jsonrpc":"2.0","id":3,"result":{}}"#))
        #expect(replies.contains(#"{"jsonrpc":"2.0","id":2,"error":{"code":-32800,"message":"Request cancelled"}}"#))
        transport.answer(login.serial, .json(200, #"{"access_token":"t.t.t"}"#))
        #expect(try await bridge.replies.next("the login") == #"{"jsonrpc":"2.0","id":1,"result":{"access_token":"t.t.t"}}"#)
        let list = try parse(try await bridge.call(#"{"jsonrpc":"2.0","id":4,"method":"session.list"}"#))
        let session = list["result"]?["sessions"]?.arrayValue?.first { $0["name"] == "k" }
        #expect(session?["hasToken"] == true)
    }
}

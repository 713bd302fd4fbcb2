import Foundation
import JSON
import TestSupport
import Testing

/// Every method through the real binary against the Medusa emulator.
@Suite("End to end: methods", .serialized)
struct MethodsEndToEndTests {
    @Test("authenticate logs in with a cookie session that getSession then uses")
    func loginAndSession() async throws {
        try await withBridge { bridge, emulator async throws in
            let login = try await bridge.call("auth.authenticate", id: 1, #"{"email":"oli@test.dk","password":"test"}"#)
            #expect(login["result"]?["customer"]?["email"] == "oli@test.dk")
            #expect(login["result"]?["customer"]?["orders"]?.arrayValue?.count == 1)
            #expect(login["result"]?["customer"]?["password_hash"] == nil)
            let session = try await bridge.call("auth.getSession", id: 2)
            #expect(session["result"] == login["result"])
            let requests = try await emulator.requests()
            #expect(requests.map { $0["method"]?.stringValue } == ["POST", "GET"])
            #expect(requests[1]["headers"]?["cookie"]?.stringValue?.hasPrefix("connect.sid=s%3A") == true)
            #expect(requests[0]["headers"]?["user-agent"] == "medusa-auth-bridge/0.1.0")
            #expect(requests[0]["headers"]?["accept"] == "application/json")
        }
    }

    @Test("a login and a session read pipelined together: the read waits for the login and sees it")
    func pipelinedLogin() async throws {
        try await withBridge { bridge, _ async throws in
            bridge.send(#"{"jsonrpc":"2.0","id":1,"method":"auth.authenticate","params":{"email":"oli@test.dk","password":"test"}}"#)
            bridge.send(#"{"jsonrpc":"2.0","id":2,"method":"auth.getSession"}"#)
            bridge.send(#"{"jsonrpc":"2.0","id":3,"method":"auth.deleteSession"}"#)
            bridge.send(#"{"jsonrpc":"2.0","id":4,"method":"auth.getSession"}"#)
            #expect(try await bridge.answer(to: 2)["result"]?["customer"]?["email"] == "oli@test.dk")
            #expect(try await bridge.answer(to: 4)["error"]?["data"]?["status"] == 401)
            #expect(try await bridge.answer(to: 1)["result"] != nil)
            #expect(try await bridge.answer(to: 3)["result"] == [:])
        }
    }

    @Test("wrong credentials and an anonymous getSession are -32001 with Medusa's 401 text")
    func unauthorized() async throws {
        try await withBridge { bridge, _ async throws in
            let expected: JSONValue = [
                "code": -32001, "message": "Medusa answered 401: Unauthorized", "data": ["status": 401, "body": "Unauthorized"],
            ]
            #expect(try await bridge.call("auth.authenticate", id: 1, #"{"email":"oli@test.dk","password":"wrong"}"#)["error"] == expected)
            #expect(try await bridge.call("auth.getSession", id: 2)["error"] == expected)
        }
    }

    @Test("Medusa's validation errors keep their type and message")
    func validation() async throws {
        try await withBridge { bridge, _ async throws in
            let reply = try await bridge.call("auth.getToken", id: 1, #"{"email":"not-an-email","password":""}"#)
            #expect(
                reply["error"]?["data"]
                    == ["status": 400, "type": "invalid_data", "message": "email must be an email, password should not be empty"])
        }
    }

    @Test("exists is true for a registered customer and false for a guest or a stranger, by name or position")
    func exists() async throws {
        try await withBridge { bridge, _ async throws in
            #expect(try await bridge.call("auth.exists", id: 1, #"{"email":"OLI@test.dk"}"#)["result"] == ["exists": true])
            #expect(try await bridge.call("auth.exists", id: 2, #"["guest@test.dk"]"#)["result"] == ["exists": false])
            #expect(try await bridge.call("auth.exists", id: 3, #"["a/b?c#d@x.io"]"#)["result"] == ["exists": false])
        }
    }

    @Test("getToken makes later calls use the bearer token, and logout forgets it (unlike medusa-js)")
    func tokenAndLogout() async throws {
        try await withBridge { bridge, emulator async throws in
            let token = try await bridge.call(
                "auth.getToken", id: 1, #"{"email":"alice@example.com","password":"alice-password","session":"a"}"#)
            let jwt = try #require(token["result"]?["access_token"]?.stringValue)
            // Forget the anonymous cookie so only the token can authenticate the next call.
            let list = try await bridge.call("session.list", id: 2)
            #expect(list["result"]?["sessions"]?.arrayValue?.first?["hasToken"] == true)
            #expect(list["result"]?["sessions"]?.arrayValue?.first?["customerId"] == "cus_01HG3WR5B8YV2C4D6E8F0G2H4J")
            let session = try await bridge.call("auth.getSession", id: 3, #"{"session":"a"}"#)
            #expect(session["result"]?["customer"]?["email"] == "alice@example.com")
            #expect(try await emulator.requests().last?["headers"]?["authorization"]?.stringValue == "Bearer \(jwt)")
            #expect(try await bridge.call("auth.deleteSession", id: 4, #"{"session":"a"}"#)["result"] == [:])
            #expect(try await bridge.call("auth.getSession", id: 5, #"{"session":"a"}"#)["error"]?["data"]?["status"] == 401)
            #expect(try await emulator.requests().last?["headers"]?["authorization"] == nil)
        }
    }

    @Test("two sessions hold two customers at once and session.clear forgets one")
    func twoSessions() async throws {
        try await withBridge { bridge, _ async throws in
            bridge.send(
                #"{"jsonrpc":"2.0","id":1,"method":"auth.authenticate","params":{"email":"alice@example.com","password":"alice-password","session":"alice"}}"#
            )
            bridge.send(
                #"{"jsonrpc":"2.0","id":2,"method":"auth.authenticate","params":{"email":"bob@example.com","password":"bob-password","session":"bob"}}"#
            )
            bridge.send(#"{"jsonrpc":"2.0","id":3,"method":"auth.getSession","params":{"session":"alice"}}"#)
            bridge.send(#"{"jsonrpc":"2.0","id":4,"method":"auth.getSession","params":{"session":"bob"}}"#)
            #expect(try await bridge.answer(to: 3)["result"]?["customer"]?["email"] == "alice@example.com")
            #expect(try await bridge.answer(to: 4)["result"]?["customer"]?["email"] == "bob@example.com")
            _ = try await bridge.answer(to: 1)
            _ = try await bridge.answer(to: 2)
            #expect(try await bridge.call("session.clear", id: 5, #"{"session":"alice"}"#)["result"] == [:])
            #expect(try await bridge.call("auth.getSession", id: 6, #"{"session":"alice"}"#)["error"]?["code"] == -32001)
            #expect(
                try await bridge.call("auth.getSession", id: 7, #"{"session":"bob"}"#)["result"]?["customer"]?["email"] == "bob@example.com"
            )
            let names = try await bridge.call("session.list", id: 8)["result"]?["sessions"]?.arrayValue?.compactMap {
                $0["name"]?.stringValue
            }
            #expect(names == ["alice", "bob"])
        }
    }

    @Test("initialize, ping and rpc.discover answer without the backend")
    func plumbing() async throws {
        let bridge = try BridgeProcess(["--base-url", "http://127.0.0.1:1"])
        defer { bridge.stop() }
        #expect(
            try await bridge.call("initialize", id: 1, #"{"protocolVersion":"1.0"}"#)["result"]
                == ["protocolVersion": "1.0", "serverInfo": ["name": "medusa-auth-bridge", "version": "0.1.0"]])
        #expect(try await bridge.call("ping", id: 2)["result"] == [:])
        let schema = try JSONParser.parse(Array(try Data(contentsOf: repositoryRoot.appendingPathComponent("schema/openrpc.json"))))
        #expect(try await bridge.call("rpc.discover", id: 3)["result"] == schema)
    }

    @Test("rpc.discover still answers when the binary is copied elsewhere")
    func discoverFromACopy() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mab-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("bridge")
        try FileManager.default.copyItem(at: BridgeProcess.binary, to: copy)
        let child = try ChildProcess(copy, [])
        defer { child.stop() }
        child.write(#"{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}"# + "\n")
        let reply = try JSONParser.parse(try await child.lines.next("the discover answer"))
        #expect(reply["result"]?["openrpc"] == "1.3.2")
    }
}

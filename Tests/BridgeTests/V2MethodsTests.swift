import Foundation
import JSON
import JSONRPC
import MedusaStore
import TestSupport
import Testing

@testable import Bridge

/// The v2 methods in process, over a scripted transport: their params, the publishable-key
/// precondition, their session ordering, and how their failures look on the wire.
@Suite("Medusa v2 methods through the dispatcher")
struct V2MethodsTests {
    /// A dispatcher whose Medusa client has `key` as its publishable key.
    func harness(_ outcomes: [FakeOutcome] = [], key: String? = "pk_test") -> (Harness, ScriptedTransport) {
        let transport = ScriptedTransport(outcomes)
        return (Harness(transport: transport, publishableKey: key), transport)
    }

    func call(_ harness: Harness, _ method: String, _ params: String) async throws -> JSONValue {
        try parse(try await harness.call(#"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#))
    }

    @Test(
        "v2 params are checked by name before any request, each error naming its field",
        arguments: [
            ("auth.login", #"[{"email":"a@b.co","password":"p"}]"#, nil, "this method takes its params by name"),
            ("auth.login", #"{"email":"a@b.co"}"#, "password", "missing required param 'password'"),
            (
                "auth.login", #"{"email":"a@b.co","password":"p","payload":{}}"#, "email",
                "give either 'payload' or 'email' and 'password', not both"
            ),
            ("auth.login", #"{"provider":"","email":"a","password":"p"}"#, "provider", "'provider' must not be empty"),
            ("auth.register", #"{"provider":"custom","payload":[]}"#, "payload", "'payload' must be an object, not array"),
            ("auth.callback", #"{"query":{}}"#, "provider", "missing required param 'provider'"),
            ("auth.callback", #"{"provider":"google","query":{"code":1}}"#, "query.code", "'query.code' must be a string, not number"),
            ("auth.updateProvider", #"{"password":"p"}"#, "token", "missing required param 'token'"),
            ("auth.updateProvider", #"{"token":"t"}"#, "password", "missing required param 'password'"),
            ("auth.resetPassword", "{}", "identifier", "missing required param 'identifier'"),
            ("store.customer.update", #"{"email":"a@b.co"}"#, "email", "unknown param 'email'"),
            ("store.customer.update", #"{"first_name":1}"#, "first_name", "'first_name' must be a string or null, not number"),
            ("store.customer.create", #"{"metadata":"x"}"#, "metadata", "'metadata' must be an object or null, not string"),
            ("auth.signup", #"{"email":"a@b.co"}"#, "password", "missing required param 'password'"),
            ("auth.refresh", #"{"session":""}"#, "session", "'session' must not be empty"),
        ] as [(String, String, String?, String)])
    func invalidParams(method: String, params: String, field: String?, message: String) async throws {
        let (bridge, transport) = harness()
        let reply = try await call(bridge, method, params)
        #expect(reply["error"]?["code"] == -32602)
        #expect(reply["error"]?["message"] == .string("Invalid params: \(message)"))
        #expect(reply["error"]?["data"]?["field"] == field.map(JSONValue.string))
        #expect(transport.requests.isEmpty)
    }

    @Test("an OAuth provider's login sends its payload (or {}) and answers {location}")
    func oauthStart() async throws {
        let (bridge, transport) = harness([.success(.json(200, #"{"location":"https://idp.example/auth"}"#))])
        let reply = try await call(bridge, "auth.login", #"{"provider":"github"}"#)
        #expect(reply["result"] == ["location": "https://idp.example/auth"])
        #expect(transport.requests.first?.parsedURL?.path == "/auth/customer/github")
        #expect(transport.requests.first?.body == Array("{}".utf8))
    }

    @Test("/store methods without a publishable key fail with -32602 saying how to set one, before any request")
    func publishableKeyRequired() async throws {
        let (bridge, transport) = harness(key: nil)
        for method in ["store.customer.create", "store.customer.retrieve", "store.customer.update"] {
            let reply = try await call(bridge, method, "{}")
            #expect(reply["error"]?["code"] == -32602)
            let message = reply["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains(method) && message.contains("--publishable-api-key") && message.contains("MEDUSA_PUBLISHABLE_API_KEY"))
        }
        #expect(try await call(bridge, "auth.signup", #"{"email":"a@b.co","password":"p"}"#)["error"]?["code"] == -32602)
        #expect(transport.requests.isEmpty)
        let withHeader = try await call(bridge, "store.customer.retrieve", #"{"customHeaders":{"X-Publishable-Api-Key":"pk_call"}}"#)
        #expect(withHeader["error"]?["code"] == -32003)
        #expect(transport.requests.first?.headers["x-publishable-api-key"] == "pk_call")
    }

    @Test("an empty x-publishable-api-key in customHeaders is no key: -32602 before any request, even over a configured key")
    func emptyPublishableKeyInCustomHeaders() async throws {
        let (bridge, transport) = harness(key: "pk_test")
        for value in ["", "  "] {
            let headers = #""customHeaders":{"x-publishable-api-key":"\#(value)"}"#
            let retrieve = try await call(bridge, "store.customer.retrieve", "{\(headers)}")
            #expect(retrieve["error"]?["code"] == -32602)
            #expect(retrieve["error"]?["data"]?["header"] == "x-publishable-api-key")
            let signup = try await call(bridge, "auth.signup", #"{"email":"a@b.co","password":"p",\#(headers)}"#)
            #expect(signup["error"]?["code"] == -32602)
        }
        #expect(transport.requests.isEmpty)
    }

    @Test("v2 error bodies keep type and code in -32001 data, and the bare 401 keeps its message")
    func errorBodies() async throws {
        let (bridge, _) = harness([
            .success(
                .json(
                    422,
                    #"{"code":"invalid_request_error","type":"duplicate_error","message":"Customer with this email already has an account"}"#
                )),
            .success(.json(401, #"{"message":"Unauthorized"}"#)),
        ])
        let duplicate = try await call(bridge, "store.customer.create", #"{"email":"a@b.co"}"#)
        #expect(
            duplicate["error"]?["data"]
                == [
                    "status": 422, "type": "duplicate_error", "message": "Customer with this email already has an account",
                    "code": "invalid_request_error",
                ])
        let unauthorized = try await call(bridge, "store.customer.retrieve", "{}")
        #expect(
            unauthorized["error"] == [
                "code": -32001, "message": "Medusa answered 401: Unauthorized", "data": ["status": 401, "message": "Unauthorized"],
            ])
    }

    @Test("signup's failed step is in the message and data.step; other members are the step's own error")
    func signupStep() async throws {
        let (bridge, _) = harness([.failure(TransportError(.refused, "connection refused"))])
        let reply = try await call(bridge, "auth.signup", #"{"email":"a@b.co","password":"p"}"#)
        #expect(reply["error"]?["code"] == -32002)
        #expect(
            reply["error"]?["message"]
                == "auth.signup failed at step 1 of 3 (register): No answer from Medusa (refused) after 1 attempt")
        #expect(reply["error"]?["data"] == ["reason": "refused", "attempts": 1, "detail": "connection refused", "step": "register"])
    }

    @Test("session mode: a login whose POST /auth/session fails says so in its message and data.step 'session'")
    func sessionStep() async throws {
        let token = #"{"token":"eyJhbGciOiJIUzI1NiJ9.eyJhY3Rvcl9pZCI6ImN1c18xIn0.c2ln"}"#
        let transport = ScriptedTransport([
            .success(.json(200, token)), .success(.json(500, #"{"type":"unknown_error","message":"An unknown error occurred."}"#)),
            .success(.json(200, token)), .success(.json(200, "{}", headers: ["Set-Cookie": "connect.sid=s%3Aa.b; Path=/; Secure"])),
        ])
        let bridge = Harness(transport: transport, authType: .session)
        let failed = try await call(bridge, "auth.login", #"{"email":"a@b.co","password":"p"}"#)
        #expect(failed["error"]?["code"] == -32001)
        #expect(
            failed["error"]?["message"]
                == "The token was issued, but exchanging it for the session cookie (POST /auth/session) failed: Medusa answered 500: An unknown error occurred."
        )
        #expect(
            failed["error"]?["data"] == [
                "status": 500, "type": "unknown_error", "message": "An unknown error occurred.", "step": "session",
            ])
        let secure = try await call(bridge, "auth.login", #"{"email":"a@b.co","password":"p"}"#)
        #expect(secure["error"]?["code"] == -32003)
        #expect(secure["error"]?["data"]?["step"] == "session" && secure["error"]?["data"]?["status"] == 200)
        #expect(secure["error"]?["data"]?["hint"]?.stringValue?.contains("use an https base URL, or --auth-type jwt") == true)
        #expect(secure["error"]?["message"]?.stringValue?.contains("without a session cookie") == true)
    }

    @Test("signup's step 3 failing at POST /auth/session names step login once, not session")
    func signupSessionStep() async throws {
        let token = #"{"token":"eyJhbGciOiJIUzI1NiJ9.eyJhY3Rvcl9pZCI6ImN1c18xIn0.c2ln"}"#
        let transport = ScriptedTransport([
            .success(.json(200, #"{"token":"eyJhbGciOiJIUzI1NiJ9.eyJhY3Rvcl9pZCI6IiJ9.c2ln"}"#)),
            .success(.json(200, #"{"customer":{"id":"cus_1"}}"#)), .success(.json(200, token)), .success(.json(200, "{}")),
        ])
        let bridge = Harness(transport: transport, publishableKey: "pk_test", authType: .session)
        let reply = try await call(bridge, "auth.signup", #"{"email":"a@b.co","password":"p"}"#)
        #expect(reply["error"]?["code"] == -32003)
        #expect(reply["error"]?["message"]?.stringValue?.hasPrefix("auth.signup failed at step 3 of 3 (login): ") == true)
        let data = try #require(reply["error"]?["data"]?.objectValue)
        #expect(data.filter { $0.key == "step" }.map(\.value) == ["login"])
    }

    @Test("a v1 method answered by a v2 backend's missing route carries data.hint")
    func hint() async throws {
        let (bridge, _) = harness([.success(.json(404, "<pre>Cannot POST /store/auth</pre>"))])
        let reply = try await call(bridge, "auth.authenticate", #"{"email":"a@b.co","password":"p"}"#)
        #expect(reply["error"]?["data"]?["status"] == 404)
        #expect(reply["error"]?["data"]?["hint"]?.stringValue?.hasPrefix("This backend looks like Medusa v2") == true)
    }

    @Test(
        "the calls that change a session's state are exclusive in it; the others overlap",
        arguments: [
            (AuthLogin.self, #"{"email":"a@b.co","password":"p"}"#, true), (AuthRegister.self, #"{"email":"a@b.co","password":"p"}"#, true),
            (AuthCallback.self, #"{"provider":"google"}"#, true), (AuthRefresh.self, "{}", true), (AuthLogout.self, "{}", true),
            (AuthSignup.self, #"{"email":"a@b.co","password":"p"}"#, true), (AuthResetPassword.self, #"{"identifier":"a@b.co"}"#, false),
            (AuthUpdateProvider.self, #"{"token":"t","password":"p"}"#, false), (StoreCustomerCreate.self, "{}", false),
            (StoreCustomerRetrieve.self, "{}", false), (StoreCustomerUpdate.self, "{}", false),
        ] as [(any BridgeMethod.Type, String, Bool)])
    func ordering(method: any BridgeMethod.Type, params: String, exclusive: Bool) throws {
        var object = try #require(try parse(params).objectValue)
        object.append("session", "s")
        #expect(try method.init(params: .byName(object)).sessionUse == SessionUse(session: "s", exclusive: exclusive))
    }

    @Test("an OAuth callback's query is redacted from the trace log")
    func redaction() throws {
        let message = try parse(
            #"{"method":"auth.callback","params":{"provider":"google","query":{"code":"oauth-code-1","state":"st-2"}}}"#)
        let text = Redaction.redact(message).jsonText
        #expect(!text.contains("oauth-code-1") && !text.contains("st-2") && text.contains("google"))
    }
}

import Foundation
import JSON
import TestSupport
import Testing

/// Every Medusa v2 method through the real binary against the emulator in v2 mode (`--medusa-version
/// 2`), in both auth types (`--auth-type jwt|session`), as issue 10's "Done when" lists them.
@Suite("End to end: Medusa v2 methods", .serialized)
struct V2MethodsEndToEndTests {
    static let authTypes = ["jwt", "session"]
    static let oli = "cus_01HG3WQ4Q9ZJ6A8S1V0M3K7N2B"

    /// The session's entry in `session.list`.
    static func listed(_ bridge: BridgeProcess, _ session: String, id: Int) async throws -> JSONValue? {
        try await bridge.call("session.list", id: id)["result"]?["sessions"]?.arrayValue?.first { $0["name"] == .string(session) }
    }

    @Test("login, a session read, refresh and logout; the session then reads as nobody", arguments: authTypes)
    func loginReadRefreshLogout(authType: String) async throws {
        try await withV2Bridge(bridgeArguments: ["--auth-type", authType]) { bridge, emulator async throws in
            let login = try await bridge.call("auth.login", id: 1, #"{"email":"oli@test.dk","password":"test"}"#)
            let token = try #require(login["result"]?["token"]?.stringValue)
            let me = try await bridge.call("store.customer.retrieve", id: 2)
            #expect(me["result"]?["customer"]?["id"] == .string(Self.oli))
            #expect(me["result"]?["customer"]?["email"] == "oli@test.dk")
            let entry = try await Self.listed(bridge, "default", id: 3)
            #expect(entry?["customerId"] == .string(Self.oli) && entry?["hasToken"] == true)
            #expect(entry?["hasCookie"] == .bool(authType == "session"))
            let refreshed = try #require(try await bridge.call("auth.refresh", id: 4)["result"]?["token"]?.stringValue)
            #expect(refreshed.split(separator: ".").count == 3)
            #expect(try await bridge.call("store.customer.retrieve", id: 5)["result"]?["customer"]?["id"] == .string(Self.oli))
            #expect(try await bridge.call("auth.logout", id: 6)["result"] == [:])
            let after = try await bridge.call("store.customer.retrieve", id: 7)
            #expect(after["error"]?["code"] == -32001)
            #expect(after["error"]?["data"] == ["status": 401, "message": "Unauthorized"])
            let recorded = try await emulator.requests()
            let requests = recorded.map { "\($0["method"]?.stringValue ?? "") \($0["path"]?.stringValue ?? "")" }
            let sent = try #require(recorded.first { $0["path"]?.stringValue == "/store/customers/me" })
            if authType == "session" {
                #expect(requests.contains("POST /auth/session") && requests.contains("DELETE /auth/session"))
                #expect(sent["headers"]?["authorization"] == nil)
                #expect(sent["headers"]?["cookie"]?.stringValue?.hasPrefix("connect.sid=") == true)
            } else {
                #expect(!requests.contains("POST /auth/session") && !requests.contains("DELETE /auth/session"))
                #expect(sent["headers"]?["authorization"] == .string("Bearer \(token)"))
            }
        }
    }

    @Test(
        "session mode against a production Medusa over http: login is an error naming the missing cookie, not a login every call finds 401")
    func productionCookieOverHTTP() async throws {
        try await withV2Bridge(emulatorArguments: ["--production"], bridgeArguments: ["--auth-type", "session"]) { bridge, _ async throws in
            let login = try await bridge.call("auth.login", id: 1, #"{"email":"oli@test.dk","password":"test"}"#)
            #expect(login["error"]?["code"] == -32003)
            #expect(login["error"]?["data"]?["step"] == "session" && login["error"]?["data"]?["status"] == 200)
            #expect(login["error"]?["data"]?["hint"]?.stringValue?.contains("https base URL") == true)
            let entry = try await Self.listed(bridge, "default", id: 2)
            #expect(entry?["hasToken"] == false && entry?["hasCookie"] == false && entry?["customerId"] == .null)
        }
    }

    @Test("session mode: signing up an existing account after another login answers that account, and a failed sign-up keeps the login")
    func signupNextToALogin() async throws {
        try await withV2Bridge(bridgeArguments: ["--auth-type", "session"]) { bridge, emulator async throws in
            _ = try await bridge.call("auth.login", id: 1, #"{"email":"oli@test.dk","password":"test"}"#)
            try await emulator.control("POST", "/__emulator/faults", #"{"method":"POST","path":"/store/customers","times":1,"status":503}"#)
            let failed = try await bridge.call("auth.signup", id: 2, #"{"email":"new@example.com","password":"new-password"}"#)
            #expect(failed["error"]?["data"]?["step"] == "create")
            #expect(try await bridge.call("store.customer.retrieve", id: 3)["result"]?["customer"]?["id"] == .string(Self.oli))
            // Another session logged in as oli, which no failed sign-up has touched.
            _ = try await bridge.call("auth.login", id: 4, #"{"email":"oli@test.dk","password":"test","session":"s2"}"#)
            let alice = try await bridge.call(
                "auth.signup", id: 5, #"{"email":"alice@example.com","password":"alice-password","session":"s2"}"#)
            #expect(alice["result"]?["customer"]?["email"] == "alice@example.com")
            let me = try await bridge.call("store.customer.retrieve", id: 6, #"{"session":"s2"}"#)
            #expect(me["result"]?["customer"]?["email"] == "alice@example.com")
        }
    }

    @Test("register, create the customer, then log in: the new customer reads back", arguments: authTypes)
    func registerCreateLogin(authType: String) async throws {
        try await withV2Bridge(bridgeArguments: ["--auth-type", authType]) { bridge, _ async throws in
            let credentials = #""email":"jane@example.com","password":"jane-password","session":"jane""#
            let registered = try await bridge.call("auth.register", id: 1, "{\(credentials)}")
            #expect(registered["result"]?["token"]?.stringValue != nil)
            let created = try await bridge.call(
                "store.customer.create", id: 2, #"{"email":"jane@example.com","first_name":"Jane","session":"jane"}"#)
            #expect(created["result"]?["customer"]?["has_account"] == true)
            let id = try #require(created["result"]?["customer"]?["id"])
            // The customer it created is the session's own, so session.list shows it at once.
            #expect(try await Self.listed(bridge, "jane", id: 7)?["customerId"] == id)
            // The registration token has no customer yet: Medusa refuses it on /store/customers/me.
            #expect(try await bridge.call("store.customer.retrieve", id: 3, #"{"session":"jane"}"#)["error"]?["data"]?["status"] == 401)
            #expect(try await bridge.call("auth.login", id: 4, "{\(credentials)}")["result"]?["token"] != nil)
            let me = try await bridge.call("store.customer.retrieve", id: 5, #"{"session":"jane"}"#)
            #expect(me["result"]?["customer"]?["id"] == id)
            #expect(me["result"]?["customer"]?["first_name"] == "Jane")
            let updated = try await bridge.call("store.customer.update", id: 6, #"{"last_name":"Doe","session":"jane"}"#)
            #expect(updated["result"]?["customer"]?["last_name"] == "Doe")
        }
    }

    @Test("signup answers the customer and its token, and a retry after step 2 or step 3 failed completes it", arguments: authTypes)
    func signup(authType: String) async throws {
        try await withV2Bridge(bridgeArguments: ["--auth-type", authType]) { bridge, emulator async throws in
            let signup = try await bridge.call(
                "auth.signup", id: 1, #"{"email":"sam@example.com","password":"sam-password","first_name":"Sam","session":"sam"}"#)
            #expect(signup["result"]?["customer"]?["email"] == "sam@example.com")
            #expect(signup["result"]?["token"]?.stringValue != nil)
            let id = try #require(signup["result"]?["customer"]?["id"])
            #expect(try await bridge.call("store.customer.retrieve", id: 2, #"{"session":"sam"}"#)["result"]?["customer"]?["id"] == id)

            try await emulator.control("POST", "/__emulator/faults", #"{"method":"POST","path":"/store/customers","times":1,"status":503}"#)
            let params = #"{"email":"kim@example.com","password":"kim-password","last_name":"Kim","session":"kim"}"#
            let failed = try await bridge.call("auth.signup", id: 3, params)
            #expect(failed["error"]?["code"] == -32001)
            #expect(failed["error"]?["data"]?["step"] == "create")
            #expect(failed["error"]?["data"]?["status"] == 503)
            #expect(failed["error"]?["message"]?.stringValue?.hasPrefix("auth.signup failed at step 2 of 3 (create)") == true)
            let retried = try await bridge.call("auth.signup", id: 4, params)
            #expect(retried["result"]?["customer"]?["last_name"] == "Kim")
            #expect(
                try await bridge.call("store.customer.retrieve", id: 5, #"{"session":"kim"}"#)["result"]?["customer"]?["email"]
                    == "kim@example.com")

            try await emulator.control(
                "POST", "/__emulator/faults", #"{"method":"POST","path":"/auth/customer/emailpass","times":1,"status":503}"#)
            let lee = #"{"email":"lee@example.com","password":"lee-password","first_name":"Lee","session":"lee"}"#
            let loginFailed = try await bridge.call("auth.signup", id: 6, lee)
            #expect(loginFailed["error"]?["data"]?["step"] == "login")
            let again = try await bridge.call("auth.signup", id: 7, lee)
            #expect(again["result"]?["customer"]?["first_name"] == "Lee")
            let me = try await bridge.call("store.customer.retrieve", id: 8, #"{"session":"lee"}"#)
            #expect(me["result"]?["customer"]?["email"] == "lee@example.com")
        }
    }

    @Test("reset and update the password, then log in with the new one (the old one fails)", arguments: authTypes)
    func resetAndUpdate(authType: String) async throws {
        try await withV2Bridge(bridgeArguments: ["--auth-type", authType]) { bridge, emulator async throws in
            #expect(try await bridge.call("auth.resetPassword", id: 1, #"{"identifier":"alice@example.com"}"#)["result"] == [:])
            let events = try await emulator.control("GET", "/__emulator/events/auth.password_reset")["events"]?.arrayValue ?? []
            let token = try #require(events.last?["data"]?["token"]?.stringValue)
            let update = try await bridge.call("auth.updateProvider", id: 2, #"{"token":"\#(token)","password":"alice-new"}"#)
            #expect(update["result"] == [:])
            let old = try await bridge.call("auth.login", id: 3, #"{"email":"alice@example.com","password":"alice-password"}"#)
            #expect(old["error"]?["data"] == ["status": 401, "type": "unauthorized", "message": "Invalid email or password"])
            let new = try await bridge.call("auth.login", id: 4, #"{"email":"alice@example.com","password":"alice-new"}"#)
            #expect(new["result"]?["token"]?.stringValue != nil)
            #expect(try await bridge.call("store.customer.retrieve", id: 5)["result"]?["customer"]?["email"] == "alice@example.com")
        }
    }

    @Test(
        "OAuth: the start answers {location}; the callback's first login creates its customer, then refresh carries it",
        arguments: authTypes)
    func oauth(authType: String) async throws {
        try await withV2Bridge(bridgeArguments: ["--auth-type", authType]) { bridge, _ async throws in
            let start = try await bridge.call("auth.login", id: 1, #"{"provider":"google","session":"nora"}"#)
            let location = try #require(start["result"]?["location"]?.stringValue)
            let state = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "state" }?.value)
            let callback = try await bridge.call(
                "auth.callback", id: 2, #"{"provider":"google","query":{"code":"google-code-new","state":"\#(state)"},"session":"nora"}"#)
            #expect(callback["result"]?["token"]?.stringValue != nil)
            let created = try await bridge.call("store.customer.create", id: 3, #"{"email":"new.google@example.com","session":"nora"}"#)
            let id = try #require(created["result"]?["customer"]?["id"])
            // The customer it created is the session's own, so session.list shows it at once.
            #expect(try await Self.listed(bridge, "nora", id: 7)?["customerId"] == id)
            #expect(try await bridge.call("auth.refresh", id: 4, #"{"session":"nora"}"#)["result"]?["token"] != nil)
            #expect(try await bridge.call("store.customer.retrieve", id: 5, #"{"session":"nora"}"#)["result"]?["customer"]?["id"] == id)
            #expect(try await Self.listed(bridge, "nora", id: 6)?["customerId"] == id)
        }
    }

    @Test("wrong password, and a /store call without a publishable key fails before any request", arguments: authTypes)
    func wrongPasswordAndMissingKey(authType: String) async throws {
        let emulator = try await Emulator(["--medusa-version", "2"])
        defer { emulator.stop() }
        let bridge = try BridgeProcess(for: emulator, ["--auth-type", authType])
        defer { bridge.stop() }
        let wrong = try await bridge.call("auth.login", id: 1, #"{"email":"oli@test.dk","password":"wrong"}"#)
        #expect(wrong["error"]?["code"] == -32001)
        #expect(wrong["error"]?["data"] == ["status": 401, "type": "unauthorized", "message": "Invalid email or password"])
        #expect(try await bridge.call("auth.login", id: 2, #"{"email":"oli@test.dk","password":"test"}"#)["result"] != nil)
        try await emulator.control("DELETE", "/__emulator/requests")
        for (id, method) in ["store.customer.retrieve", "store.customer.update", "store.customer.create", "auth.signup"].enumerated() {
            let params = method == "auth.signup" ? #"{"email":"x@example.com","password":"x"}"# : "{}"
            let reply = try await bridge.call(method, id: 10 + id, params)
            #expect(reply["error"]?["code"] == -32602)
            #expect(reply["error"]?["message"]?.stringValue?.contains("--publishable-api-key") == true)
            #expect(reply["error"]?["message"]?.stringValue?.contains("MEDUSA_PUBLISHABLE_API_KEY") == true)
        }
        #expect(try await emulator.requests().isEmpty)
    }

    @Test(
        "an expired token: refused in jwt mode and by refresh; session mode's cookie outlives it, as Medusa's session does",
        arguments: authTypes)
    func expiredToken(authType: String) async throws {
        try await withV2Bridge(emulatorArguments: ["--jwt-expires-in", "60"], bridgeArguments: ["--auth-type", authType]) {
            bridge, emulator async throws in
            #expect(try await bridge.call("auth.login", id: 1, #"{"email":"oli@test.dk","password":"test"}"#)["result"] != nil)
            try await emulator.control("POST", "/__emulator/clock", #"{"advance":120}"#)
            let me = try await bridge.call("store.customer.retrieve", id: 2)
            if authType == "session" {
                #expect(me["result"]?["customer"]?["id"] == .string(Self.oli))
            } else {
                #expect(me["error"]?["data"] == ["status": 401, "message": "Unauthorized"])
            }
            let refresh = try await bridge.call("auth.refresh", id: 3)
            #expect(refresh["error"]?["data"] == ["status": 401, "message": "Unauthorized"])
        }
    }

    @Test("two customers at once, pipelined, each in their own session, never see each other", arguments: authTypes)
    func twoCustomers(authType: String) async throws {
        try await withV2Bridge(bridgeArguments: ["--auth-type", authType]) { bridge, _ async throws in
            bridge.send(
                #"{"jsonrpc":"2.0","id":1,"method":"auth.login","params":{"email":"oli@test.dk","password":"test","session":"oli"}}"#)
            bridge.send(
                #"{"jsonrpc":"2.0","id":2,"method":"auth.login","params":{"email":"alice@example.com","password":"alice-password","session":"alice"}}"#
            )
            bridge.send(#"{"jsonrpc":"2.0","id":3,"method":"store.customer.retrieve","params":{"session":"oli"}}"#)
            bridge.send(#"{"jsonrpc":"2.0","id":4,"method":"store.customer.retrieve","params":{"session":"alice"}}"#)
            bridge.send(#"{"jsonrpc":"2.0","id":5,"method":"auth.logout","params":{"session":"alice"}}"#)
            bridge.send(#"{"jsonrpc":"2.0","id":6,"method":"store.customer.retrieve","params":{"session":"oli"}}"#)
            bridge.send(#"{"jsonrpc":"2.0","id":7,"method":"store.customer.retrieve","params":{"session":"alice"}}"#)
            #expect(try await bridge.answer(to: 3)["result"]?["customer"]?["email"] == "oli@test.dk")
            #expect(try await bridge.answer(to: 4)["result"]?["customer"]?["email"] == "alice@example.com")
            #expect(try await bridge.answer(to: 6)["result"]?["customer"]?["email"] == "oli@test.dk")
            #expect(try await bridge.answer(to: 7)["error"]?["data"]?["status"] == 401)
            for id in [1, 2, 5] { #expect(try await bridge.answer(to: .number(JSONNumber(id)))["result"] != nil) }
        }
    }

    @Test("a method of the other Medusa version gets data.hint naming the methods to use, but v1 answers its own /store/customers/me")
    func otherVersionHint() async throws {
        try await withV2Bridge { bridge, _ async throws in
            let reply = try await bridge.call("auth.authenticate", id: 1, #"{"email":"oli@test.dk","password":"test"}"#)
            #expect(reply["error"]?["data"]?["status"] == 404)
            let hint = try #require(reply["error"]?["data"]?["hint"]?.stringValue)
            #expect(hint.contains("Medusa v2") && hint.contains("auth.login"))
        }
        try await withBridge(bridgeArguments: ["--publishable-api-key", "pk_any"]) { bridge, _ async throws in
            let reply = try await bridge.call("auth.login", id: 1, #"{"email":"oli@test.dk","password":"test"}"#)
            #expect(reply["error"]?["data"]?["status"] == 404)
            let hint = try #require(reply["error"]?["data"]?["hint"]?.stringValue)
            #expect(hint.contains("Medusa v1") && hint.contains("auth.authenticate"))
            let store = try await bridge.call("store.customer.retrieve", id: 2)
            #expect(store["error"]?["data"]?["status"] == 401, "\(store.jsonText)")
            #expect(store["error"]?["data"]?["hint"]?.stringValue?.contains("Medusa v1") == true, "\(store.jsonText)")
            // v1 has /store/customers/me too: once v1's login holds the session, it answers.
            _ = try await bridge.call("auth.authenticate", id: 3, #"{"email":"oli@test.dk","password":"test"}"#)
            let retrieved = try await bridge.call("store.customer.retrieve", id: 4)
            #expect(retrieved["result"]?["customer"]?["email"] == "oli@test.dk", "\(retrieved.jsonText)")
        }
    }
}

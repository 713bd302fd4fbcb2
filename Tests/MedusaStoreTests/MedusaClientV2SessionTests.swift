import Foundation
import JSON
import Testing

@testable import MedusaStore

/// What a session holds after v2 calls that should not change it, or not the way they did: a failed or
/// cancelled call, a sign-up next to an earlier login, an answer the bridge must refuse. Each test
/// scripts Medusa's answers and checks both the requests sent and the session left behind.
@Suite("Medusa client: v2 calls leave the session as the outcome says")
struct MedusaClientV2SessionTests {
    static let oli = MedusaClientV2Tests.customerToken
    static let alice = MedusaClientV2Tests.jwt(#"{"actor_id":"cus_2","actor_type":"customer","auth_identity_id":"authid_2"}"#)
    static let registration = MedusaClientV2Tests.registrationToken
    static let cookie = MedusaClientV2Tests.cookie
    static let aliceCustomer = #"{"customer":{"id":"cus_2","email":"alice@example.com"}}"#
    static let exists = HTTPResponse.json(401, #"{"type":"unauthorized","message":"Identity with email already exists"}"#)
    static let credentials: JSONValue = ["email": "oli@test.dk", "password": "test"]

    private func client(_ transport: FakeTransport, authType: MedusaAuthType = .session, base: String = "http://127.0.0.1:9000")
        -> MedusaClient
    {
        MedusaClient(
            configuration: MedusaConfiguration(
                baseURL: URL(string: base)!, publishableAPIKey: "pk_test", attemptTimeout: .seconds(5), userAgent: "test",
                authType: authType),
            transport: transport, sleep: { _ in })
    }

    /// A session-mode client whose default session is logged in as oli (`cus_1`) with a cookie, and the
    /// transport that will answer the calls after it with `then`.
    private func loggedIn(then outcomes: [FakeTransport.Outcome]) async throws -> (MedusaClient, FakeTransport) {
        let transport = FakeTransport(
            [.success(.json(200, #"{"token":"\#(Self.oli)"}"#)), .success(.json(200, "{}", headers: Self.cookie))] + outcomes)
        let medusa = client(transport)
        _ = try await medusa.login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        return (medusa, transport)
    }

    private func isOli(_ state: SessionState) -> Bool {
        state.exchangedToken == Self.oli && state.customerID == "cus_1" && state.cookies.hasCookies()
    }

    @Test("session mode: signing up an existing account after another login reads back that account, not the earlier one")
    func signupExistingAfterLogin() async throws {
        let (medusa, transport) = try await loggedIn(then: [
            .success(Self.exists), .success(.json(200, #"{"token":"\#(Self.alice)"}"#)), .success(.json(200, Self.aliceCustomer)),
            .success(.json(200, "{}", headers: Self.cookie)),
        ])
        let body = try await medusa.signup(
            email: "alice@example.com", password: "alice-password", fields: JSONObject(), options: CallOptions())
        #expect(body["customer"]?["id"] == "cus_2")
        let readBack = transport.requests[4]
        #expect(readBack.method == "GET" && readBack.parsedURL?.path == "/store/customers/me")
        // Medusa reads a session cookie before the Bearer: oli's would answer oli.
        #expect(readBack.headers["Cookie"] == nil && readBack.headers["Authorization"] == "Bearer \(Self.alice)")
        let state = medusa.sessions.snapshot("default")
        #expect(state.exchangedToken == Self.alice && state.customerID == "cus_2")
    }

    @Test("session mode: a sign-up failing at create leaves the earlier login in place, as in jwt mode")
    func failedSignupKeepsLogin() async throws {
        let (medusa, transport) = try await loggedIn(then: [
            .success(.json(200, #"{"token":"\#(Self.registration)"}"#)), .success(.json(503, #"{"message":"down"}"#)),
        ])
        await #expect(throws: SignupFailure.self) {
            try await medusa.signup(email: "new@example.com", password: "secret", fields: JSONObject(), options: CallOptions())
        }
        let create = transport.requests[3]
        #expect(create.parsedURL?.path == "/store/customers" && create.headers["Cookie"] == nil)
        #expect(isOli(medusa.sessions.snapshot("default")))
    }

    @Test(
        "a token holding CR, LF or another control character is a bad answer (-32003), never stored nor sent",
        arguments: ["abc\r\nX-Injected: yes", "x\r\nContent-Length: 0\r\n\r\nDELETE /smuggled HTTP/1.1", "abc\ndef", "a\u{0}b"])
    func injectedTokenRefused(token: String) async throws {
        let encoded = JSONValue.string(token).serialized()
        let answer = #"{"token":\#(String(decoding: encoded, as: UTF8.self))}"#
        let accessAnswer = #"{"access_token":\#(String(decoding: encoded, as: UTF8.self))}"#
        for authType in [MedusaAuthType.jwt, .session] {
            let transport = FakeTransport(otherwise: .success(.json(200, answer)))
            let medusa = client(transport, authType: authType)
            let options = CallOptions()
            let calls: [(String, () async throws(MedusaFailure) -> Void)] = [
                (
                    "login",
                    { () async throws(MedusaFailure) in
                        _ = try await medusa.login(provider: "emailpass", payload: Self.credentials, options: options)
                    }
                ),
                (
                    "register",
                    { () async throws(MedusaFailure) in
                        _ = try await medusa.register(provider: "emailpass", payload: Self.credentials, options: options)
                    }
                ),
                (
                    "callback",
                    { () async throws(MedusaFailure) in _ = try await medusa.callback(provider: "google", query: [], options: options) }
                ),
                ("refresh", { () async throws(MedusaFailure) in _ = try await medusa.refresh(options: options) }),
            ]
            for (name, call) in calls {
                await #expect(throws: MedusaFailure.self, "\(name) in \(authType)") { try await call() }
                let state = medusa.sessions.snapshot("default")
                #expect(state.token == nil && state.exchangedToken == nil, "\(name) in \(authType)")
            }
            // auth.signup's own logins read the same tokens.
            await #expect(throws: SignupFailure.self) {
                try await medusa.signup(email: "a@b.co", password: "p", fields: JSONObject(), options: options)
            }
            #expect(
                transport.requests.map(\.parsedURL?.path) == [
                    "/auth/customer/emailpass", "/auth/customer/emailpass/register", "/auth/customer/google/callback",
                    "/auth/token/refresh",
                    "/auth/customer/emailpass/register",
                ])
        }
        let v1 = FakeTransport(otherwise: .success(.json(200, accessAnswer)))
        let medusa = client(v1, authType: .jwt)
        await #expect(throws: MedusaFailure.self) {
            try await medusa.getToken(email: "oli@test.dk", password: "test", options: CallOptions())
        }
        #expect(medusa.sessions.snapshot("default").token == nil)
    }

    @Test("the refused token's error is -32003 badResponse, the body Medusa sent as its data with the token masked")
    func injectedTokenIsBadResponse() async throws {
        // A token the bridge refuses is still the backend's credential: it is masked like any other.
        let transport = FakeTransport([.success(.json(200, #"{"token":"abc\r\nX-Injected: yes","x":1}"#))])
        await #expect(throws: MedusaFailure.badResponse(status: 200, body: #"{"token":"[redacted]","x":1}"#)) {
            try await client(transport, authType: .jwt).login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        }
    }

    @Test("session mode: POST /auth/session answering a Secure cookie over http is an error naming it, and nothing is adopted")
    func secureCookieOverHTTP() async throws {
        let transport = FakeTransport([
            .success(.json(200, #"{"token":"\#(Self.oli)"}"#)),
            .success(.json(200, "{}", headers: ["Set-Cookie": "connect.sid=s%3Aabc.sig; Path=/; HttpOnly; Secure"])),
        ])
        let medusa = client(transport)
        await #expect(throws: MedusaFailure.sessionExchange(.noSessionCookie(status: 200, overHTTP: true))) {
            try await medusa.login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        }
        let state = medusa.sessions.snapshot("default")
        #expect(state.exchangedToken == nil && state.token == nil && state.customerID == nil)
    }

    @Test(
        "session mode: POST /auth/session answering without any cookie is an error, also when an earlier login's Secure cookie is refused")
    func noCookieAtAll() async throws {
        let transport = FakeTransport([.success(.json(200, #"{"token":"\#(Self.oli)"}"#)), .success(.json(200, "{}"))])
        await #expect(throws: MedusaFailure.sessionExchange(.noSessionCookie(status: 200, overHTTP: true))) {
            try await client(transport).login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        }
        // An earlier login's cookie still held does not hide a Secure one refused now.
        let (medusa, _) = try await loggedIn(then: [
            .success(.json(200, #"{"token":"\#(Self.alice)"}"#)),
            .success(.json(200, "{}", headers: ["Set-Cookie": "connect.sid=s%3Anew.sig; Path=/; Secure"])),
        ])
        await #expect(throws: MedusaFailure.sessionExchange(.noSessionCookie(status: 200, overHTTP: true))) {
            try await medusa.login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        }
        #expect(isOli(medusa.sessions.snapshot("default")))
    }

    @Test("session mode: after a login, another whose POST /auth/session sets no cookie is an error, not passed by the earlier cookie")
    func noCookieAfterLogin() async throws {
        let (medusa, _) = try await loggedIn(then: [.success(.json(200, #"{"token":"\#(Self.alice)"}"#)), .success(.json(200, "{}"))])
        await #expect(throws: MedusaFailure.sessionExchange(.noSessionCookie(status: 200, overHTTP: true))) {
            try await medusa.login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        }
        // The session still speaks for oli, and says so: it does not claim alice's customer.
        #expect(isOli(medusa.sessions.snapshot("default")))
    }

    @Test("session mode over https: a Secure cookie is kept and the login succeeds; no cookie at all is still an error")
    func secureCookieOverHTTPS() async throws {
        let none = FakeTransport([.success(.json(200, #"{"token":"\#(Self.oli)"}"#)), .success(.json(200, "{}"))])
        await #expect(throws: MedusaFailure.sessionExchange(.noSessionCookie(status: 200, overHTTP: false))) {
            try await client(none, base: "https://shop.example").login(
                provider: "emailpass", payload: Self.credentials, options: CallOptions())
        }
        let transport = FakeTransport([
            .success(.json(200, #"{"token":"\#(Self.oli)"}"#)),
            .success(.json(200, "{}", headers: ["Set-Cookie": "connect.sid=s%3Aabc.sig; Path=/; HttpOnly; Secure"])),
        ])
        let medusa = client(transport, base: "https://shop.example")
        _ = try await medusa.login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        #expect(medusa.sessions.snapshot("default").exchangedToken == Self.oli)
    }

    @Test("session mode: a failed POST /auth/session is a session-step failure, and the earlier login stays")
    func exchangeFailureNamesStep() async throws {
        let refusal = HTTPResponse.json(500, #"{"type":"unknown_error","message":"An unknown error occurred."}"#)
        let (medusa, _) = try await loggedIn(then: [.success(.json(200, #"{"token":"\#(Self.alice)"}"#)), .success(refusal)])
        await #expect(throws: MedusaFailure.sessionExchange(.status(MedusaHTTPError(status: 500, body: refusal.body)))) {
            try await medusa.login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        }
        #expect(isOli(medusa.sessions.snapshot("default")))
    }

    @Test("a cancelled POST /auth/session is cancelled, not a session-step failure")
    func exchangeCancelled() async throws {
        let transport = FakeTransport([
            .success(.json(200, #"{"token":"\#(Self.oli)"}"#)), .failure(TransportError(.cancelled, "cancelled")),
        ])
        await #expect(throws: MedusaFailure.cancelled) {
            try await client(transport).login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        }
    }

    @Test("refresh sends the caller's customHeaders.Authorization instead of the session's token")
    func refreshHonoursCustomAuthorization() async throws {
        let login = FakeTransport.Outcome.success(.json(200, #"{"token":"\#(Self.oli)"}"#))
        let refreshed = FakeTransport.Outcome.success(.json(200, #"{"token":"\#(Self.alice)"}"#))
        let exchange = FakeTransport.Outcome.success(.json(200, "{}", headers: Self.cookie))
        for (authType, outcomes) in [(MedusaAuthType.jwt, [login, refreshed]), (.session, [login, exchange, refreshed, exchange])] {
            let transport = FakeTransport(outcomes)
            let medusa = client(transport, authType: authType)
            _ = try await medusa.login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
            _ = try await medusa.refresh(options: CallOptions(customHeaders: ["authorization": "Bearer \(Self.alice)"]))
            let refresh = try #require(transport.requests.first { $0.parsedURL?.path == "/auth/token/refresh" })
            #expect(refresh.headers.values(for: "Authorization") == ["Bearer \(Self.alice)"], "\(authType)")
        }
    }

    @Test("a login answer with a location and a token is an OAuth start: only {location} is answered and nothing is stored")
    func locationWinsOverToken() async throws {
        let transport = FakeTransport([
            .success(.json(200, #"{"token":"\#(Self.oli)","location":"https://idp.example/authorize"}"#))
        ])
        let medusa = client(transport, authType: .jwt)
        let body = try await medusa.login(provider: "google", payload: [:], options: CallOptions())
        #expect(body == ["location": "https://idp.example/authorize"])
        let state = medusa.sessions.snapshot("default")
        #expect(state.token == nil && state.customerID == nil && transport.requests.count == 1)
    }

    @Test("a cancelled auth.logout or auth.deleteSession leaves the session as it was")
    func cancelledLogoutKeepsSession() async throws {
        let (medusa, transport) = try await loggedIn(then: [.failure(TransportError(.cancelled, "cancelled"))])
        await #expect(throws: MedusaFailure.cancelled) { try await medusa.logout(options: CallOptions()) }
        #expect(transport.requests.last?.method == "DELETE")
        #expect(isOli(medusa.sessions.snapshot("default")))

        let v1 = FakeTransport([
            .success(.json(200, #"{"customer":{"id":"cus_1"}}"#, headers: Self.cookie)), .failure(TransportError(.cancelled, "cancelled")),
        ])
        let store = client(v1, authType: .jwt)
        _ = try await store.authenticate(email: "oli@test.dk", password: "test", options: CallOptions())
        await #expect(throws: MedusaFailure.cancelled) { try await store.deleteSession(options: CallOptions()) }
        let state = store.sessions.snapshot("default")
        #expect(state.cookies.hasCookies() && state.customerID == "cus_1")
    }

    @Test("auth.deleteSession answered, refused or not reached forgets the session, and answers how it went")
    func deleteSessionSignsOut() async throws {
        let refusal = HTTPResponse.text(401, "Unauthorized")
        let cases: [(FakeTransport.Outcome, MedusaFailure?)] = [
            (.success(.text(200, "OK")), nil), (.success(refusal), .status(MedusaHTTPError(status: 401, body: refusal.body))),
            (.failure(TransportError(.refused, "refused")), .unreachable(reason: "refused", attempts: 1, detail: "refused")),
        ]
        for (outcome, expected) in cases {
            let transport = FakeTransport([.success(.json(200, #"{"customer":{"id":"cus_1"}}"#, headers: Self.cookie)), outcome])
            let store = client(transport, authType: .jwt)
            _ = try await store.authenticate(email: "oli@test.dk", password: "test", options: CallOptions())
            let result = await Result(catching: { () async throws(MedusaFailure) in try await store.deleteSession(options: CallOptions()) })
            #expect(result.failureValue == expected)
            let state = store.sessions.snapshot("default")
            #expect(!state.cookies.hasCookies() && state.customerID == nil)
        }
    }
}

extension Result {
    fileprivate var failureValue: Failure? {
        if case .failure(let failure) = self { failure } else { nil }
    }
}

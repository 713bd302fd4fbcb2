import Foundation
import JSON
import Testing

@testable import MedusaStore

/// Medusa v2's customer auth through a scripted transport: which requests go out, with which
/// credentials, and what each session then holds, in both auth types.
@Suite("Medusa client: v2 customer auth with a scripted transport")
struct MedusaClientV2Tests {
    /// A JWT with `payload` (unsigned: the bridge never verifies tokens).
    static func jwt(_ payload: String) -> String {
        let encoded = Data(payload.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "eyJhbGciOiJIUzI1NiJ9.\(encoded).c2ln"
    }

    static let customerToken = jwt(
        #"{"actor_id":"cus_1","actor_type":"customer","auth_identity_id":"authid_1","app_metadata":{"customer_id":"cus_1"}}"#)
    static let registrationToken = jwt(#"{"actor_id":"","actor_type":"customer","auth_identity_id":"authid_1","app_metadata":{}}"#)
    static let customer = #"{"customer":{"id":"cus_1","email":"jane@example.com","has_account":true,"addresses":[]}}"#
    static let cookie: HTTPHeaders = ["Set-Cookie": "connect.sid=s%3Aabc.sig; Path=/; HttpOnly"]

    private func client(_ transport: FakeTransport, authType: MedusaAuthType = .jwt, key: String? = "pk_test") -> MedusaClient {
        MedusaClient(
            configuration: MedusaConfiguration(
                baseURL: URL(string: "http://127.0.0.1:9000")!, publishableAPIKey: key, attemptTimeout: .seconds(5), userAgent: "test",
                authType: authType),
            transport: transport, sleep: { _ in })
    }

    private static let credentials: JSONValue = ["email": "jane@example.com", "password": "secret"]

    private func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    @Test("jwt mode: login keeps the token and later calls send it as Bearer, never a cookie")
    func loginJWT() async throws {
        let transport = FakeTransport([.success(.json(200, #"{"token":"\#(Self.customerToken)"}"#)), .success(.json(200, Self.customer))])
        let medusa = client(transport)
        let body = try await medusa.login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        #expect(body == ["token": .string(Self.customerToken)])
        _ = try await medusa.retrieveCustomer(query: nil, options: CallOptions())
        let requests = transport.requests
        #expect(
            requests.map { "\($0.method) \($0.parsedURL?.path ?? "")" } == ["POST /auth/customer/emailpass", "GET /store/customers/me"])
        #expect(text(requests[0].body) == #"{"email":"jane@example.com","password":"secret"}"#)
        #expect(requests[1].headers["Authorization"] == "Bearer \(Self.customerToken)")
        #expect(requests[1].headers["x-publishable-api-key"] == "pk_test")
        let summary = try #require(medusa.sessions.summaries().first)
        #expect(summary.hasToken && !summary.hasCookie && summary.customerID == "cus_1")
    }

    @Test("session mode: login exchanges the token for the cookie, and later calls send the cookie only")
    func loginSession() async throws {
        let transport = FakeTransport([
            .success(.json(200, #"{"token":"\#(Self.customerToken)"}"#)),
            .success(.json(200, #"{"user":{"actor_id":"cus_1"}}"#, headers: Self.cookie)),
            .success(.json(200, Self.customer)),
        ])
        let medusa = client(transport, authType: .session)
        _ = try await medusa.login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        _ = try await medusa.retrieveCustomer(query: "+metadata,*orders", options: CallOptions())
        let requests = transport.requests
        #expect(requests[1].method == "POST" && requests[1].parsedURL?.path == "/auth/session")
        #expect(requests[1].headers["Authorization"] == "Bearer \(Self.customerToken)")
        #expect(requests[1].body == nil)
        #expect(requests[2].headers["Authorization"] == nil)
        #expect(requests[2].headers["Cookie"] == "connect.sid=s%3Aabc.sig")
        #expect(requests[2].parsedURL?.query == "fields=%2Bmetadata%2C*orders")
        let summary = try #require(medusa.sessions.summaries().first)
        #expect(summary.hasToken && summary.hasCookie && summary.customerID == "cus_1")
    }

    @Test("an OAuth start answers {location} and leaves the session as it was")
    func oauthStart() async throws {
        let transport = FakeTransport([.success(.json(200, #"{"location":"https://accounts.example/authorize?state=1"}"#))])
        let medusa = client(transport, authType: .session)
        let body = try await medusa.login(provider: "google", payload: [:], options: CallOptions())
        #expect(body == ["location": "https://accounts.example/authorize?state=1"])
        #expect(transport.requests.count == 1 && transport.requests[0].parsedURL?.path == "/auth/customer/google")
        #expect(medusa.sessions.snapshot("default") == SessionState())
    }

    @Test("session mode: a registration token is kept as Bearer (Medusa refuses it on /auth/session) so create is authorised")
    func registerThenCreateInSessionMode() async throws {
        let transport = FakeTransport([
            .success(.json(200, #"{"token":"\#(Self.registrationToken)"}"#)), .success(.json(200, Self.customer)),
        ])
        let medusa = client(transport, authType: .session)
        _ = try await medusa.register(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        let created = try await medusa.createCustomer(
            JSONObject([(key: "email", value: "jane@example.com"), (key: "first_name", value: "Jane")]), query: nil, options: CallOptions())
        #expect(created["customer"]?["id"] == "cus_1")
        let requests = transport.requests
        #expect(requests.map(\.parsedURL?.path) == ["/auth/customer/emailpass/register", "/store/customers"])
        #expect(requests[1].headers["Authorization"] == "Bearer \(Self.registrationToken)")
        #expect(text(requests[1].body) == #"{"email":"jane@example.com","first_name":"Jane"}"#)
        // The customer created is the session's own: session.list names it (the token still has no
        // customer until the next login).
        #expect(medusa.sessions.snapshot("default").customerID == "cus_1")
    }

    @Test("session mode: refresh sends the exchanged token as Bearer, then exchanges the new one for the cookie")
    func refreshInSessionMode() async throws {
        let newToken = Self.jwt(#"{"actor_id":"cus_1","iat":2}"#)
        let transport = FakeTransport([
            .success(.json(200, #"{"token":"\#(Self.customerToken)"}"#)), .success(.json(200, "{}", headers: Self.cookie)),
            .success(.json(200, #"{"token":"\#(newToken)"}"#)), .success(.json(200, "{}")),
        ])
        let medusa = client(transport, authType: .session)
        _ = try await medusa.login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        let body = try await medusa.refresh(options: CallOptions())
        #expect(body == ["token": .string(newToken)])
        let requests = transport.requests
        #expect(
            requests[2].parsedURL?.path == "/auth/token/refresh" && requests[2].headers["Authorization"] == "Bearer \(Self.customerToken)")
        #expect(requests[3].parsedURL?.path == "/auth/session" && requests[3].headers["Authorization"] == "Bearer \(newToken)")
        #expect(medusa.sessions.snapshot("default").exchangedToken == newToken)
    }

    @Test("jwt-mode logout sends nothing (there is no server session), whatever cookie the session holds, and forgets it all")
    func logoutWithoutCookie() async throws {
        // A load balancer's sticky cookie (or an uninitialised connect.sid) is no Medusa login: a DELETE
        // would only be answered 401 and reported as a failed logout.
        let transport = FakeTransport([
            .success(.json(200, #"{"token":"\#(Self.customerToken)"}"#, headers: ["Set-Cookie": "AWSALB=lb1; Path=/"]))
        ])
        let medusa = client(transport)
        _ = try await medusa.login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        #expect(medusa.sessions.snapshot("default").cookies.hasCookies())
        try await medusa.logout(options: CallOptions())
        #expect(transport.requests.count == 1)
        let state = medusa.sessions.snapshot("default")
        #expect(!state.cookies.hasCookies() && state.token == nil && state.exchangedToken == nil && state.customerID == nil)
    }

    @Test("session mode: a token without a customer drops the cookie of an earlier login, which Medusa would read first")
    func actorlessTokenAfterALogin() async throws {
        let transport = FakeTransport([
            .success(.json(200, #"{"token":"\#(Self.customerToken)"}"#)), .success(.json(200, "{}", headers: Self.cookie)),
            .success(.json(200, #"{"token":"\#(Self.registrationToken)"}"#)), .success(.json(200, Self.customer)),
        ])
        let medusa = client(transport, authType: .session)
        _ = try await medusa.login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        _ = try await medusa.register(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        _ = try await medusa.createCustomer(JSONObject([(key: "email", value: "jane@example.com")]), query: nil, options: CallOptions())
        let create = try #require(transport.requests.last)
        #expect(create.headers["Cookie"] == nil)
        #expect(create.headers["Authorization"] == "Bearer \(Self.registrationToken)")
    }

    @Test("session mode: signup in a session logged in as another customer creates its customer without the old cookie")
    func signupAfterALogin() async throws {
        let transport = FakeTransport([
            .success(.json(200, #"{"token":"\#(Self.customerToken)"}"#)), .success(.json(200, "{}", headers: Self.cookie)),
            .success(.json(200, #"{"token":"\#(Self.registrationToken)"}"#)), .success(.json(200, Self.customer)),
            .success(.json(200, #"{"token":"\#(Self.customerToken)"}"#)), .success(.json(200, "{}", headers: Self.cookie)),
        ])
        let medusa = client(transport, authType: .session)
        _ = try await medusa.login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        _ = try await medusa.signup(email: "jane@example.com", password: "secret", fields: JSONObject(), options: CallOptions())
        let create = transport.requests[3]
        #expect(create.method == "POST" && create.parsedURL?.path == "/store/customers")
        #expect(create.headers["Cookie"] == nil && create.headers["Authorization"] == "Bearer \(Self.registrationToken)")
    }

    @Test("session-mode logout deletes the server session and forgets everything even when Medusa refuses")
    func logoutWithCookie() async throws {
        let transport = FakeTransport([
            .success(.json(200, #"{"token":"\#(Self.customerToken)"}"#)), .success(.json(200, "{}", headers: Self.cookie)),
            .success(.json(401, #"{"message":"Unauthorized"}"#)),
        ])
        let medusa = client(transport, authType: .session)
        _ = try await medusa.login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        await #expect(throws: MedusaFailure.self) { try await medusa.logout(options: CallOptions()) }
        let request = try #require(transport.requests.last)
        #expect(request.method == "DELETE" && request.parsedURL?.path == "/auth/session" && request.body == nil)
        #expect(request.headers["Cookie"] == "connect.sid=s%3Aabc.sig")
        let state = medusa.sessions.snapshot("default")
        #expect(!state.cookies.hasCookies() && state.token == nil && state.exchangedToken == nil && state.customerID == nil)
    }

    @Test("resetPassword accepts Medusa's 201 text answer, asking for text/plain as js-sdk does")
    func resetPassword() async throws {
        let transport = FakeTransport([.success(.text(201, "Created"))])
        try await client(transport).resetPassword(provider: "emailpass", identifier: "jane@example.com", options: CallOptions())
        let request = try #require(transport.requests.first)
        #expect(request.parsedURL?.path == "/auth/customer/emailpass/reset-password")
        #expect(text(request.body) == #"{"identifier":"jane@example.com"}"#)
        #expect(request.headers["Accept"] == "text/plain")
    }

    @Test("updateProvider sends the reset token as Bearer, whatever token the session holds")
    func updateProvider() async throws {
        let transport = FakeTransport([
            .success(.json(200, #"{"token":"\#(Self.customerToken)"}"#)), .success(.json(200, #"{"success":true}"#)),
        ])
        let medusa = client(transport)
        _ = try await medusa.login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        try await medusa.updateProvider(provider: "emailpass", token: "reset.tok.en", payload: ["password": "new"], options: CallOptions())
        let request = try #require(transport.requests.last)
        #expect(request.parsedURL?.path == "/auth/customer/emailpass/update" && request.headers["Authorization"] == "Bearer reset.tok.en")
        #expect(text(request.body) == #"{"password":"new"}"#)
    }

    @Test("callback passes the provider's query through, each name and value percent-encoded")
    func callbackQuery() async throws {
        let transport = FakeTransport([.success(.json(200, #"{"token":"\#(Self.registrationToken)"}"#))])
        _ = try await client(transport).callback(
            provider: "google", query: [(name: "code", value: "a b&c=d/é"), (name: "state", value: "s1")], options: CallOptions())
        #expect(
            transport.requests.first?.url
                == "http://127.0.0.1:9000/auth/customer/google/callback?code=a%20b%26c%3Dd%2F%C3%A9&state=s1")
    }

    @Test("the bare {message} 401 of v2's auth middleware is read as a message, not kept as body text")
    func bareUnauthorized() async throws {
        let transport = FakeTransport([.success(.json(401, #"{"message":"Unauthorized"}"#))])
        await #expect(throws: MedusaFailure.status(MedusaHTTPError(status: 401, type: nil, message: "Unauthorized"))) {
            try await client(transport).retrieveCustomer(query: nil, options: CallOptions())
        }
    }

    @Test("v1's plain-text 401 on /store/customers/me says the backend looks like Medusa v1")
    func v1Refusal() async throws {
        let refusal = HTTPResponse.text(401, "Unauthorized")
        await #expect(throws: MedusaFailure.status(MedusaHTTPError(status: 401, body: refusal.body).with(backendLooksLike: 1))) {
            try await client(FakeTransport([.success(refusal)])).retrieveCustomer(query: nil, options: CallOptions())
        }
    }

    @Test(
        "a publishable key counts only when the value a call would send is not empty: its own header over the configured ones over the key",
        arguments: [
            (nil, [:], [:], false),
            ("pk", [:], [:], true),
            ("", [:], [:], false),
            (" ", [:], [:], false),
            (nil, ["X-Publishable-Api-Key": "pk"], [:], true),
            (nil, ["x-publishable-api-key": ""], [:], false),
            ("pk", ["x-publishable-api-key": ""], [:], false),
            (nil, [:], ["x-publishable-api-key": "pk"], true),
            ("pk", [:], ["x-publishable-api-key": ""], false),
            (nil, ["x-publishable-api-key": "pk"], ["X-PUBLISHABLE-API-KEY": "\t"], false),
            ("", ["x-publishable-api-key": ""], ["x-publishable-api-key": "pk"], true),
        ] as [(String?, HTTPHeaders, HTTPHeaders, Bool)])
    func publishableKeyPresence(key: String?, configured: HTTPHeaders, custom: HTTPHeaders, expected: Bool) {
        let medusa = MedusaClient(
            configuration: MedusaConfiguration(
                baseURL: URL(string: "http://127.0.0.1:9000")!, publishableAPIKey: key, headers: configured, userAgent: "test"),
            transport: FakeTransport([]), sleep: { _ in })
        #expect(medusa.hasPublishableKey(options: CallOptions(customHeaders: custom)) == expected)
    }

    @Test("a v1 route's 404 without a publishable key names no version: v2 would have refused the missing key first")
    func notFoundWithoutKey() async throws {
        let missing = HTTPResponse.text(404, "Cannot POST /api/store/auth")
        await #expect(throws: MedusaFailure.status(MedusaHTTPError(status: 404, body: missing.body))) {
            try await client(FakeTransport([.success(missing)]), key: nil).authenticate(
                email: "a@b.co", password: "secret-pw", options: CallOptions())
        }
        let emptyToken = FakeTransport([.success(.json(200, #"{"token":""}"#))])
        await #expect(throws: MedusaFailure.badResponse(status: 200, body: #"{"token":""}"#)) {
            try await client(emptyToken).login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        }
    }

    @Test("a 404 for a route only the other version has says which version the backend looks like")
    func otherVersion() async throws {
        let missing = HTTPResponse.text(404, "<pre>Cannot POST /auth/customer/emailpass</pre>")
        let v1Backend = FakeTransport([.success(missing)])
        await #expect(throws: MedusaFailure.status(MedusaHTTPError(status: 404, body: missing.body).with(backendLooksLike: 1))) {
            try await client(v1Backend).login(provider: "emailpass", payload: Self.credentials, options: CallOptions())
        }
        let v2Backend = FakeTransport([
            .success(.text(404, "Cannot GET /store/auth")),
            .success(
                .json(
                    400, #"{"type":"not_allowed","message":"Publishable API key required in the request header: x-publishable-api-key."}"#)),
            .success(.json(404, #"{"type":"not_found","message":"Customer with id: cus_1 was not found"}"#)),
        ])
        let medusa = client(v2Backend)
        for expected in [2, 2] as [Int?] {
            do {
                _ = try await medusa.getSession(options: CallOptions())
                Issue.record("a v1 route on a v2 backend succeeded")
            } catch {
                guard case .status(let status) = error else { throw error }
                #expect(status.backendLooksLike == expected)
            }
        }
        do {
            _ = try await medusa.retrieveCustomer(query: nil, options: CallOptions())
        } catch {
            guard case .status(let status) = error else { throw error }
            #expect(status.backendLooksLike == nil && status.type == "not_found")
        }
    }
}

extension MedusaHTTPError {
    init(status: Int, type: String?, message: String?) {
        self.init(status: status, body: [])
        self.body = nil
        self.type = type
        self.message = message
    }

    func with(backendLooksLike version: Int) -> MedusaHTTPError {
        var error = self
        error.backendLooksLike = version
        return error
    }
}

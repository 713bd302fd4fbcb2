import Foundation
import JSON
import Testing

@testable import MedusaStore

@Suite("Medusa client with a scripted transport")
struct MedusaClientTests {
    static let customer = #"{"customer":{"id":"cus_1","email":"oli@test.dk","has_account":true,"orders":[],"extra":{"kept":1}}}"#
    // A JWT whose payload is {"customer_id":"cus_T","domain":"store"}.
    static let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjdXN0b21lcl9pZCI6ImN1c19UIiwiZG9tYWluIjoic3RvcmUifQ.c2ln"

    private func client(
        _ transport: FakeTransport, retries: Int = 0, key: String? = nil, headers: HTTPHeaders = HTTPHeaders(),
        base: String = "http://127.0.0.1:9000", sleeper: SleepRecorder = SleepRecorder()
    ) -> MedusaClient {
        MedusaClient(
            configuration: MedusaConfiguration(
                baseURL: URL(string: base)!, maxRetries: retries, publishableAPIKey: key, headers: headers, attemptTimeout: .seconds(5),
                userAgent: "medusa-auth-bridge/test"),
            transport: transport, sleep: { try await sleeper.sleep($0) }, makeIdempotencyKey: { "idem-1" })
    }

    @Test("authenticate posts the credentials with medusa-js's headers and returns Medusa's body unchanged")
    func authenticate() async throws {
        let transport = FakeTransport([.success(.json(200, Self.customer))])
        let body = try await client(transport, key: "pk_1").authenticate(email: "oli@test.dk", password: "test", options: CallOptions())
        #expect(body == (try JSONParser.parse(Array(Self.customer.utf8))))
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "http://127.0.0.1:9000/store/auth")
        #expect(request.body.map { String(decoding: $0, as: UTF8.self) } == #"{"email":"oli@test.dk","password":"test"}"#)
        #expect(request.headers["Accept"] == "application/json")
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(request.headers["x-publishable-api-key"] == "pk_1")
        #expect(request.headers["User-Agent"] == "medusa-auth-bridge/test")
        #expect(request.headers["Idempotency-Key"] == nil)
        #expect(request.headers["Authorization"] == nil)
    }

    @Test("the session's cookie from login is sent on its next call, and not on another session's")
    func cookiesPerSession() async throws {
        let transport = FakeTransport([
            .success(.json(200, Self.customer, headers: ["Set-Cookie": "connect.sid=s%3Aone; Path=/; HttpOnly"])),
            .success(.json(200, Self.customer)), .success(.json(200, Self.customer)),
        ])
        let medusa = client(transport)
        _ = try await medusa.authenticate(email: "a@b.co", password: "p", options: CallOptions(session: "alice"))
        _ = try await medusa.getSession(options: CallOptions(session: "alice"))
        _ = try await medusa.getSession(options: CallOptions(session: "bob"))
        #expect(transport.requests.map { $0.headers["Cookie"] } == [nil, "connect.sid=s%3Aone", nil])
        #expect(medusa.sessions.summaries().map(\.name) == ["alice", "bob"])
        #expect(medusa.sessions.snapshot("alice").customerID == "cus_1")
    }

    @Test("getToken makes the session send Authorization: Bearer, and logout forgets token and cookies")
    func tokenThenLogout() async throws {
        let transport = FakeTransport([
            .success(.json(200, #"{"access_token":"\#(Self.token)"}"#, headers: ["Set-Cookie": "connect.sid=x; Path=/"])),
            .success(.json(200, Self.customer)),
            .success(.text(200, "OK", headers: ["Content-Type": "text/plain; charset=utf-8"])),
            .success(.text(401, "Unauthorized")),
        ])
        let medusa = client(transport)
        _ = try await medusa.getToken(email: "a@b.co", password: "p", options: CallOptions())
        #expect(medusa.sessions.snapshot("default").customerID == "cus_T")
        _ = try await medusa.getSession(options: CallOptions())
        try await medusa.deleteSession(options: CallOptions())
        await #expect(throws: MedusaFailure.status(MedusaHTTPError(status: 401, body: Array("Unauthorized".utf8)))) {
            try await medusa.getSession(options: CallOptions())
        }
        let auth = transport.requests.map { $0.headers["Authorization"] }
        #expect(auth == [nil, "Bearer \(Self.token)", "Bearer \(Self.token)", nil])
        #expect(transport.requests[2].method == "DELETE")
        #expect(transport.requests[2].body == Array("{}".utf8))
        #expect(transport.requests[3].headers["Cookie"] == nil)
    }

    @Test("logout forgets the session's credentials even when Medusa answers an error")
    func logoutClearsOnError() async throws {
        let transport = FakeTransport([
            .success(.json(200, #"{"access_token":"\#(Self.token)"}"#)), .success(.text(500, "boom")),
        ])
        let medusa = client(transport)
        _ = try await medusa.getToken(email: "a@b.co", password: "p", options: CallOptions())
        await #expect(throws: MedusaFailure.self) { try await medusa.deleteSession(options: CallOptions()) }
        #expect(medusa.sessions.snapshot("default").token == nil)
    }

    @Test("configured and per-call headers override the bridge's own, case-insensitively")
    func headerPrecedence() async throws {
        let transport = FakeTransport()
        let medusa = client(transport, key: "pk_1", headers: ["accept": "text/x", "X-Tenant": "t1"])
        _ = try? await medusa.exists(
            email: "a@b.co", options: CallOptions(customHeaders: ["X-TENANT": "t2", "X-Publishable-Api-Key": "pk_2", "cookie": "manual=1"]))
        let headers = try #require(transport.requests.first?.headers)
        #expect(headers["Accept"] == "text/x")
        #expect(headers["x-tenant"] == "t2")
        #expect(headers.values(for: "x-tenant").count == 1)
        #expect(headers["x-publishable-api-key"] == "pk_2")
        #expect(headers["Cookie"] == "manual=1")
    }

    @Test(
        "exists percent-encodes the email as one path segment",
        arguments: [
            ("oli@test.dk", "/store/auth/oli@test.dk"), ("a/b?c#d@x.io", "/store/auth/a%2Fb%3Fc%23d@x.io"),
            ("a+b@x.io", "/store/auth/a+b@x.io"), ("..", "/store/auth/%2E%2E"), ("é@x.io", "/store/auth/%C3%A9@x.io"),
            ("50%@x", "/store/auth/50%25@x"),
        ])
    func existsEncodesTheEmail(email: String, path: String) async throws {
        let transport = FakeTransport([.success(.json(200, #"{"exists":true}"#))])
        let body = try await client(transport, base: "http://127.0.0.1:9000/prefix/").exists(email: email, options: CallOptions())
        #expect(body == ["exists": true])
        #expect(transport.requests.first?.url == "http://127.0.0.1:9000/prefix" + path)
    }

    @Test("network failures, 409 and 503 are retried with medusa-js's delays and one Idempotency-Key")
    func retries() async throws {
        let sleeper = SleepRecorder()
        let transport = FakeTransport([
            .failure(TransportError(.refused, "refused")), .success(.text(503, "busy")), .success(.text(409, "conflict")),
            .success(.json(200, Self.customer)),
        ])
        let medusa = client(transport, retries: 3, sleeper: sleeper)
        _ = try await medusa.authenticate(email: "a@b.co", password: "p", options: CallOptions())
        #expect(sleeper.recorded == [.milliseconds(500), .milliseconds(1500), .milliseconds(3500)])
        #expect(transport.requests.count == 4)
        #expect(Set(transport.requests.map { $0.headers["Idempotency-Key"] }) == ["idem-1"])
    }

    @Test("Retry-After replaces the backoff, and a GET carries no Idempotency-Key")
    func retryAfterHonoured() async throws {
        let sleeper = SleepRecorder()
        let transport = FakeTransport([.success(.text(409, "", headers: ["Retry-After": "2"])), .success(.json(200, #"{"exists":false}"#))])
        _ = try await client(transport, retries: 1, sleeper: sleeper).exists(email: "a@b.co", options: CallOptions())
        #expect(sleeper.recorded == [.seconds(2)])
        #expect(transport.requests.allSatisfy { $0.headers["Idempotency-Key"] == nil })
    }

    @Test("500 is never retried and its Medusa JSON error is read into type, message and code")
    func serverErrorNotRetried() async throws {
        let transport = FakeTransport([
            .success(.json(500, #"{"code":"unknown_error","type":"unknown_error","message":"An unknown error occurred."}"#))
        ])
        let expected = MedusaHTTPError(
            status: 500, body: Array(#"{"code":"unknown_error","type":"unknown_error","message":"An unknown error occurred."}"#.utf8))
        #expect(expected.type == "unknown_error" && expected.code == "unknown_error" && expected.body == nil)
        await #expect(throws: MedusaFailure.status(expected)) {
            try await client(transport, retries: 3).getSession(options: CallOptions())
        }
        #expect(transport.requests.count == 1)
    }

    @Test("an unreachable backend fails with its reason and the number of attempts made")
    func unreachable() async throws {
        let transport = FakeTransport(otherwise: .failure(TransportError(.timeout, "deadline")))
        await #expect(throws: MedusaFailure.unreachable(reason: "timeout", attempts: 3, detail: "deadline")) {
            try await client(transport, retries: 2).getSession(options: CallOptions())
        }
    }

    @Test("a 2xx whose body is not the JSON the route documents is a bad response with the body truncated")
    func badResponses() async throws {
        let garbage = String(repeating: "<html>", count: 1000)
        let transport = FakeTransport([.success(.text(200, garbage)), .success(.json(200, #"{"customer":"no"}"#))])
        let medusa = client(transport)
        do {
            _ = try await medusa.getSession(options: CallOptions())
            Issue.record("expected a failure")
        } catch .badResponse(let status, let body) {
            #expect(status == 200)
            #expect(body.count == MedusaHTTPError.maximumBodyCharacters + 1)
        } catch {
            Issue.record("unexpected \(error)")
        }
        await #expect(throws: MedusaFailure.badResponse(status: 200, body: #"{"customer":"no"}"#)) {
            try await medusa.getSession(options: CallOptions())
        }
    }

    @Test("an empty token or a customer without an id is a bad response, and no token is kept")
    func emptyTokenAndCustomerWithoutID() async throws {
        let transport = FakeTransport([
            .success(.json(200, #"{"access_token":""}"#)), .success(.json(200, #"{"customer":{}}"#)),
            .success(.json(200, #"{"customer":{"id":""}}"#)), .success(.json(200, Self.customer)),
        ])
        let medusa = client(transport)
        await #expect(throws: MedusaFailure.badResponse(status: 200, body: #"{"access_token":""}"#)) {
            try await medusa.getToken(email: "a@b.co", password: "p", options: CallOptions())
        }
        for body in [#"{"customer":{}}"#, #"{"customer":{"id":""}}"#] {
            await #expect(throws: MedusaFailure.badResponse(status: 200, body: body)) {
                try await medusa.getSession(options: CallOptions())
            }
        }
        _ = try await medusa.getSession(options: CallOptions())
        #expect(transport.requests.last?.headers["Authorization"] == nil)
    }

    @Test("a body cut at the transport's cap is a bad response saying so, even when it would parse")
    func truncatedBody() async throws {
        let transport = FakeTransport([.success(HTTPResponse(status: 200, body: Array(#"{"exists":true}"#.utf8), bodyTruncated: true))])
        let limit = MedusaConfiguration.defaultMaximumBodyBytes
        await #expect(throws: MedusaFailure.oversizedBody(status: 200, body: #"{"exists":true}"#, limit: limit)) {
            try await client(transport).exists(email: "a@b.co", options: CallOptions())
        }
    }

    @Test("a cancelled call stops retrying at once")
    func cancellationStopsRetries() async throws {
        let transport = FakeTransport(otherwise: .success(.text(503, "busy")))
        let medusa = client(transport, retries: 5)
        let task = Task { try await medusa.getSession(options: CallOptions()) }
        task.cancel()
        await #expect(throws: MedusaFailure.cancelled) { try await task.value }
        #expect(transport.requests.count <= 1)
    }
}

import Foundation
import JSON
import Testing

@testable import MedusaStore

/// `auth.signup`'s three steps through a scripted transport: the requests, the step a failure names,
/// and that a retry after a failure at step 2 or 3 completes the sign-up.
@Suite("Medusa client: v2 sign-up in three steps")
struct SignupTests {
    static let registration = MedusaClientV2Tests.registrationToken
    static let login = MedusaClientV2Tests.customerToken
    static let customer = MedusaClientV2Tests.customer
    static let exists = HTTPResponse.json(401, #"{"type":"unauthorized","message":"Identity with email already exists"}"#)

    private func client(_ transport: FakeTransport) -> MedusaClient {
        MedusaClient(
            configuration: MedusaConfiguration(
                baseURL: URL(string: "http://127.0.0.1:9000")!, publishableAPIKey: "pk_test", attemptTimeout: .seconds(5), userAgent: "test"
            ),
            transport: transport, sleep: { _ in })
    }

    private let fields = JSONObject([(key: "first_name", value: "Jane")])

    @Test("register, create with the registration token, then log in: the session holds the customer's token")
    func happyPath() async throws {
        let transport = FakeTransport([
            .success(.json(200, #"{"token":"\#(Self.registration)"}"#)), .success(.json(200, Self.customer)),
            .success(.json(200, #"{"token":"\#(Self.login)"}"#)),
        ])
        let medusa = client(transport)
        let body = try await medusa.signup(email: "jane@example.com", password: "secret", fields: fields, options: CallOptions())
        #expect(body["token"] == .string(Self.login))
        #expect(body["customer"]?["id"] == "cus_1")
        let requests = transport.requests
        #expect(requests.map(\.parsedURL?.path) == ["/auth/customer/emailpass/register", "/store/customers", "/auth/customer/emailpass"])
        #expect(requests[1].headers["Authorization"] == "Bearer \(Self.registration)")
        #expect(String(decoding: requests[1].body ?? [], as: UTF8.self) == #"{"email":"jane@example.com","first_name":"Jane"}"#)
        #expect(medusa.sessions.snapshot("default").token == Self.login)
    }

    @Test("a failed step is named, and the session is left as it was")
    func stepNamed() async throws {
        let duplicate = HTTPResponse.json(
            422, #"{"code":"invalid_request_error","type":"duplicate_error","message":"Customer with this email already has an account"}"#)
        let transport = FakeTransport([.success(.json(200, #"{"token":"\#(Self.registration)"}"#)), .success(duplicate)])
        let medusa = client(transport)
        await #expect(throws: SignupFailure(step: .create, failure: .status(MedusaHTTPError(status: 422, body: duplicate.body)))) {
            try await medusa.signup(email: "jane@example.com", password: "secret", fields: fields, options: CallOptions())
        }
        #expect(medusa.sessions.snapshot("default").token == nil)
    }

    @Test("a retry after step 2 failed logs into the identity without a customer and creates it")
    func retryAfterCreateFailed() async throws {
        let transport = FakeTransport([
            .success(Self.exists), .success(.json(200, #"{"token":"\#(Self.registration)"}"#)), .success(.json(200, Self.customer)),
            .success(.json(200, #"{"token":"\#(Self.login)"}"#)),
        ])
        let body = try await client(transport).signup(email: "jane@example.com", password: "secret", fields: fields, options: CallOptions())
        #expect(body["token"] == .string(Self.login))
        #expect(
            transport.requests.map(\.parsedURL?.path) == [
                "/auth/customer/emailpass/register", "/auth/customer/emailpass", "/store/customers", "/auth/customer/emailpass",
            ])
    }

    @Test("a retry after step 3 failed logs in and reads the customer back")
    func retryAfterLoginFailed() async throws {
        let transport = FakeTransport([
            .success(Self.exists), .success(.json(200, #"{"token":"\#(Self.login)"}"#)), .success(.json(200, Self.customer)),
        ])
        let body = try await client(transport).signup(email: "jane@example.com", password: "secret", fields: fields, options: CallOptions())
        #expect(body["customer"]?["id"] == "cus_1")
        #expect(
            transport.requests.map(\.parsedURL?.path) == [
                "/auth/customer/emailpass/register", "/auth/customer/emailpass", "/store/customers/me",
            ])
        #expect(transport.requests[2].headers["Authorization"] == "Bearer \(Self.login)")
    }

    @Test("an email taken by someone else (whose password differs) fails at step 1 with register's own error")
    func emailTaken() async throws {
        let transport = FakeTransport([
            .success(Self.exists), .success(.json(401, #"{"type":"unauthorized","message":"Invalid email or password"}"#)),
        ])
        await #expect(throws: SignupFailure(step: .register, failure: .status(MedusaHTTPError(status: 401, body: Self.exists.body)))) {
            try await client(transport).signup(email: "jane@example.com", password: "other", fields: fields, options: CallOptions())
        }
    }
}

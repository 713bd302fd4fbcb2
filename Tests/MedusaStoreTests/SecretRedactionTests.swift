import Foundation
import JSON
import Testing

@testable import MedusaStore

@Suite("Secrets never reach an error's data")
struct SecretRedactionTests {
    static let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjdXN0b21lcl9pZCI6ImN1c19UIn0.c2lnbmF0dXJl"

    private func client(_ transport: FakeTransport) -> MedusaClient {
        MedusaClient(
            configuration: MedusaConfiguration(
                baseURL: URL(string: "http://127.0.0.1:9000")!, publishableAPIKey: "pk_live_key", userAgent: "medusa-auth-bridge/test"),
            transport: transport)
    }

    @Test("an error page echoing the request loses the password, token, cookie value and publishable key")
    func errorPageEchoingTheRequest() async throws {
        let echo = "bad: password=hunter22 auth=Bearer \(Self.token) cookie=connect.sid=s%3Asecretcookie key=pk_live_key"
        let transport = FakeTransport([
            .success(.json(200, #"{"access_token":"\#(Self.token)"}"#, headers: ["Set-Cookie": "connect.sid=s%3Asecretcookie; Path=/"])),
            .success(HTTPResponse(status: 500, body: Array(echo.utf8))),
        ])
        let medusa = client(transport)
        _ = try await medusa.getToken(email: "a@b.co", password: "hunter22", options: CallOptions())
        do {
            _ = try await medusa.authenticate(email: "a@b.co", password: "hunter22", options: CallOptions())
            Issue.record("expected a failure")
        } catch {
            guard case .status(let failure) = error else { throw error }
            let body = try #require(failure.body)
            for secret in ["hunter22", Self.token, "s%3Asecretcookie", "pk_live_key"] { #expect(!body.contains(secret)) }
            #expect(body.contains("[redacted]"))
        }
    }

    @Test("a 2xx of the wrong shape carrying a fresh token or cookie comes back redacted as -32003's body")
    func wrongShapeWithAFreshToken() async throws {
        let transport = FakeTransport([
            .success(.json(200, #"{"token":"\#(Self.token)","note":"x"}"#, headers: ["Set-Cookie": "sid=freshcookie1; Path=/"]))
        ])
        do {
            _ = try await client(transport).authenticate(email: "a@b.co", password: "pw", options: CallOptions())
            Issue.record("expected a failure")
        } catch {
            guard case .badResponse(_, let body) = error else { throw error }
            #expect(body == #"{"token":"[redacted]","note":"x"}"#)
        }
    }

    @Test("Medusa's JSON error message is redacted too, and its type and code are kept")
    func jsonErrorMessage() {
        let redactor = SecretRedactor(
            request: HTTPRequest(
                method: "POST", url: "http://h/", headers: [:], body: Array(#"{"password":"s3cret-pw"}"#.utf8),
                timeout: .seconds(1)), setCookies: [])
        let error = MedusaHTTPError(
            status: 400, body: Array(#"{"type":"invalid_data","message":"s3cret-pw is too weak","code":"x"}"#.utf8), redactor: redactor)
        #expect(error.message == "[redacted] is too weak")
        #expect(error.type == "invalid_data")
        #expect(error.code == "x")
    }

    @Test("Medusa's error type and code are redacted as its message is: a backend may echo into any field")
    func jsonErrorTypeAndCode() {
        let error = MedusaHTTPError(
            status: 400, body: Array(#"{"type":"bad s3cret-pw","message":"no","code":"got s3cret-pw"}"#.utf8),
            redactor: redactor(password: "s3cret-pw"))
        #expect(error.type == "bad [redacted]")
        #expect(error.code == "got [redacted]")
    }

    private func redactor(password: String, cookie: String? = nil) -> SecretRedactor {
        SecretRedactor(
            request: HTTPRequest(
                method: "POST", url: "http://h/", headers: cookie.map { ["Cookie": "sid=\($0)"] } ?? [:],
                body: JSONValue.object(JSONObject([(key: "password", value: .string(password))])).serialized(),
                timeout: .seconds(1)), setCookies: [])
    }

    @Test("a password with a quote and a backslash is found as sent, escaped once and escaped twice")
    func escapedSpellings() {
        let redactor = redactor(password: #"pw"Zq9\x"#)
        #expect(redactor.redact(#"raw pw"Zq9\x."#) == "raw [redacted].")
        #expect(redactor.redact(#"body {"password":"pw\"Zq9\\x"}"#) == #"body {"password":"[redacted]"}"#)
        let page = #"{"message":"you sent {\"password\":\"pw\\\"Zq9\\\\x\"}"}"#
        #expect(redactor.redact(page) == #"{"message":"you sent {\"password\":\"[redacted]\"}"}"#)
    }

    @Test("a password is found as other JSON writers escape it: non-ASCII as \\u (either case), / as \\/")
    func otherWritersSpellings() {
        let redactor = redactor(password: "pässwörd/geheim")
        #expect(redactor.redact(#"{"got": "p\u00e4ssw\u00f6rd/geheim"}"#) == #"{"got": "[redacted]"}"#)
        #expect(redactor.redact(#"{"got":"p\u00E4ssw\u00F6rd\/geheim"}"#) == #"{"got":"[redacted]"}"#)
        #expect(redactor.redact(#"{"msg":"{\"got\": \"p\\u00e4ssw\\u00f6rd/geheim\"}"}"#) == #"{"msg":"{\"got\": \"[redacted]\"}"}"#)
    }

    @Test("a text holding a password too short to replace is withheld whole; one without it is kept")
    func shortPassword() {
        let redactor = redactor(password: "Zq9")
        #expect(redactor.redact("wrong password Zq9 for a@b.co") == SecretRedactor.withheld)
        #expect(redactor.redact("Unauthorized") == "Unauthorized")
    }

    @Test("a cookie value too short to be a credential is not looked for")
    func shortCookie() {
        #expect(redactor(password: "long-enough-pw", cookie: "en").redact("lang en, 1 item") == "lang en, 1 item")
    }
}

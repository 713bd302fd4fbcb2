import Foundation
import MedusaStore
import TestSupport
import Testing

@testable import CurlEngine

/// The libcurl engine against the Medusa emulator in a child process: answers, cookies, deadlines,
/// cancellation, the body cap and where a call's task resumes. HTTP framing faults are covered by the
/// black-box suite in Tests/http, which drives the built binary against raw-socket servers.
@Suite("libcurl transport", .serialized)
struct CurlTransportTests {
    static let loop = CurlLoop(maximumConnectionsPerOrigin: 4)

    func transport(maximumBodyBytes: Int = 1 << 20) -> CurlTransport {
        CurlTransport(loop: Self.loop, settings: .init(maximumBodyBytes: maximumBodyBytes))
    }

    func request(
        _ method: String, _ url: String, body: String? = nil, headers: HTTPHeaders = ["Content-Type": "application/json"],
        timeout: Duration = .seconds(10)
    ) -> HTTPRequest {
        HTTPRequest(method: method, url: url, headers: headers, body: body.map { Array($0.utf8) }, timeout: timeout)
    }

    @Test("a POST and a GET come back with status, every Set-Cookie field and the body")
    func answers() async throws {
        let emulator = try await Emulator()
        defer { emulator.stop() }
        let login = try await transport().send(
            request("POST", emulator.url + "/store/auth", body: #"{"email":"oli@test.dk","password":"test"}"#))
        #expect(login.status == 200)
        #expect(login.headers.values(for: "set-cookie").count == 1)
        #expect(String(decoding: login.body, as: UTF8.self).contains(#""email":"oli@test.dk""#))
        let anonymous = try await transport().send(request("GET", emulator.url + "/store/auth"))
        #expect(anonymous.status == 401)
        #expect(String(decoding: anonymous.body, as: UTF8.self) == "Unauthorized")
    }

    @Test("a refused connection is reason refused and names the origin it tried")
    func refused() async throws {
        // Port 1 on loopback: nothing listens there in a test environment.
        await #expect(throws: TransportError(.refused, "http://127.0.0.1:1 refused the connection")) {
            try await transport().send(request("GET", "http://127.0.0.1:1/store/auth"))
        }
    }

    @Test("text that is not a URL is refused before anything is sent")
    func notAURL() async throws {
        await #expect(throws: TransportError(.other, "the base URL and path do not form a URL")) {
            try await transport().send(request("GET", "http://[::1/store/auth"))
        }
    }

    @Test("a header field holding CR or LF is refused with nothing sent, by send and by start alike")
    func headerInjectionRefused() async throws {
        let emulator = try await Emulator()
        defer { emulator.stop() }
        let injected = request(
            "GET", emulator.url + "/store/auth",
            headers: ["Authorization": "Bearer x\r\nContent-Length: 0\r\n\r\nDELETE /smuggled HTTP/1.1\r\nX-Injected: yes"])
        await #expect(throws: HeaderList.unsendable(injected.headers)) { try await transport().send(injected) }
        #expect(transport().start(injected) { _ in } == nil)
        // The next request is the first the emulator sees: nothing of the refused one reached it.
        let next = try await transport().send(request("GET", emulator.url + "/store/auth"))
        #expect(next.status == 401)
        #expect(try await emulator.requests().count == 1)
    }

    @Test("a server that received the request but did not answer in time is a timeout that says so")
    func timeoutAfterSending() async throws {
        let emulator = try await Emulator()
        defer { emulator.stop() }
        try await emulator.control("POST", "/__emulator/faults", #"{"path":"/store/auth","delay_ms":5000}"#)
        do {
            _ = try await transport().send(request("GET", emulator.url + "/store/auth", timeout: .milliseconds(300)))
            Issue.record("expected a timeout")
        } catch {
            #expect(error.reason == .timeout)
            #expect(error.detail.contains("received the request but sent no complete answer within 0.3 s"))
        }
    }

    @Test("cancelling the task aborts the transfer at once with reason cancelled")
    func cancellation() async throws {
        let emulator = try await Emulator()
        defer { emulator.stop() }
        try await emulator.control("POST", "/__emulator/faults", #"{"path":"/store/auth","delay_ms":20000}"#)
        let transport = transport()
        let request = request("GET", emulator.url + "/store/auth", timeout: .seconds(30))
        let started = Inbox<Void>()
        let task = Task {
            started.put(())
            return try await transport.send(request)
        }
        try await started.next("the request task to start")
        _ = try await waitForRequests(emulator, count: 1)
        task.cancel()
        do {
            _ = try await task.value
            Issue.record("expected a cancellation")
        } catch let error as TransportError {
            #expect(error.reason == .cancelled)
        }
    }

    @Test("a body over the cap is cut there and marked truncated")
    func bodyCap() async throws {
        let emulator = try await Emulator()
        defer { emulator.stop() }
        let response = try await transport(maximumBodyBytes: 10).send(
            request("POST", emulator.url + "/store/auth", body: #"{"email":"oli@test.dk","password":"test"}"#))
        #expect(response.bodyTruncated)
        #expect(response.body.count == 10)
    }

    @Test("a task that prefers the loop as its executor resumes on the loop's thread after a transfer")
    func resumesOnTheLoop() async throws {
        let emulator = try await Emulator()
        defer { emulator.stop() }
        let transport = transport()
        let request = request("GET", emulator.url + "/store/auth")
        let onLoop = try await Task(executorPreference: Self.loop) {
            _ = try await transport.send(request)
            return Self.loop.isCurrent
        }.value
        #expect(onLoop)
    }

    private func waitForRequests(_ emulator: Emulator, count: Int) async throws -> [Any] {
        let deadline = ContinuousClock.now + eventTimeout
        while ContinuousClock.now < deadline {
            let seen = try await emulator.requests()
            if seen.count >= count { return seen }
            await Task.yield()
        }
        throw TimedOut(what: "\(count) request(s) at the emulator")
    }
}

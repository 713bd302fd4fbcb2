import Foundation
import JSON
import TestSupport
import Testing

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// Retries, cancellation and shutdown through the real binary, with faults injected by the emulator.
@Suite("End to end: retries, cancellation and shutdown", .serialized)
struct LifecycleEndToEndTests {
    @Test("503 twice then 200 is retried after 0.5 s and 1.5 s with one Idempotency-Key")
    func retries() async throws {
        try await withBridge(bridgeArguments: ["--max-retries", "2"]) { bridge, emulator async throws in
            try await emulator.control("POST", "/__emulator/faults", #"{"method":"POST","path":"/store/auth","status":503,"times":2}"#)
            let reply = try await bridge.call("auth.authenticate", id: 1, #"{"email":"oli@test.dk","password":"test"}"#)
            #expect(reply["result"]?["customer"]?["email"] == "oli@test.dk")
            let requests = try await emulator.requests()
            #expect(requests.count == 3)
            let keys = Set(requests.compactMap { $0["headers"]?["idempotency-key"]?.stringValue })
            #expect(keys.count == 1 && keys.first?.count == 36)
            let times = requests.compactMap { $0["received_at"].flatMap { if case .number(let n) = $0 { n.doubleValue } else { nil } } }
            // Lower bounds only: a slow machine may wait longer, never shorter.
            #expect(times[1] - times[0] >= 0.49)
            #expect(times[2] - times[1] >= 1.49)
        }
    }

    @Test("a kept-alive connection the server closed is replaced once; a fresh one that drops is -32002")
    func staleConnections() async throws {
        try await withBridge { bridge, emulator async throws in
            try await emulator.control("POST", "/__emulator/faults", #"{"path":"/store/auth/a@b.co","drop":true}"#)
            let dropped = try await bridge.call("auth.exists", id: 1, #"["a@b.co"]"#)
            #expect(dropped["error"]?["code"] == -32002)
            #expect(dropped["error"]?["data"]?["reason"] == "other")
            #expect(try await bridge.call("auth.exists", id: 2, #"["oli@test.dk"]"#)["result"] == ["exists": true])
            // The next call reuses that connection; the server closes it without an answer.
            try await emulator.control("POST", "/__emulator/faults", #"{"path":"/store/auth/oli@test.dk","drop":true}"#)
            #expect(try await bridge.call("auth.exists", id: 3, #"["oli@test.dk"]"#)["result"] == ["exists": true])
            let paths = try await emulator.requests().compactMap { $0["path"]?.stringValue }
            #expect(paths == ["/store/auth/a@b.co", "/store/auth/oli@test.dk", "/store/auth/oli@test.dk", "/store/auth/oli@test.dk"])
        }
    }

    @Test("a body reset halfway is -32002, and a 2xx that is not JSON is -32003 with the body")
    func brokenBodies() async throws {
        try await withBridge { bridge, emulator async throws in
            try await emulator.control("POST", "/__emulator/faults", #"{"path":"/store/auth","reset_mid_body":true}"#)
            #expect(try await bridge.call("auth.getSession", id: 1)["error"]?["code"] == -32002)
            try await emulator.control("POST", "/__emulator/faults", #"{"path":"/store/auth","garbage":"not json"}"#)
            #expect(
                try await bridge.call("auth.getSession", id: 2)["error"] == [
                    "code": -32003, "message": "Medusa answered 200 with a body that is not the JSON expected",
                    "data": ["status": 200, "body": "not json"],
                ])
        }
    }

    @Test("a redirect is answered, never followed")
    func redirects() async throws {
        try await withBridge { bridge, emulator async throws in
            try await emulator.control(
                "POST", "/__emulator/faults", #"{"path":"/store/auth","redirect":"http://127.0.0.1:1/elsewhere","status":302}"#)
            let reply = try await bridge.call("auth.getSession", id: 1)
            #expect(reply["error"]?["code"] == -32001)
            #expect(reply["error"]?["data"]?["status"] == 302)
        }
    }

    @Test("500 is not retried and unreachable backends report their reason and attempts")
    func notRetried() async throws {
        try await withBridge(bridgeArguments: ["--max-retries", "1"]) { bridge, emulator async throws in
            try await emulator.control(
                "POST", "/__emulator/faults",
                #"{"path":"/store/auth","status":500,"body":"{\"code\":\"unknown_error\",\"type\":\"unknown_error\",\"message\":\"An unknown error occurred.\"}"}"#
            )
            let reply = try await bridge.call("auth.getSession", id: 1)
            #expect(
                reply["error"]?["data"] == [
                    "status": 500, "type": "unknown_error", "message": "An unknown error occurred.", "code": "unknown_error",
                ])
            #expect(try await emulator.requests().count == 1)
        }
        let closed = try BridgeProcess(["--base-url", "http://127.0.0.1:1", "--max-retries", "1"])
        defer { closed.stop() }
        let reply = try await closed.call("auth.exists", id: 1, #"["a@b.co"]"#)
        #expect(reply["error"]?["code"] == -32002)
        #expect(reply["error"]?["data"]?["reason"] == "refused")
        #expect(reply["error"]?["data"]?["attempts"] == 2)
    }

    @Test("a backend slower than --timeout is -32002 with reason timeout")
    func timeout() async throws {
        try await withBridge(bridgeArguments: ["--timeout", "0.3"]) { bridge, emulator async throws in
            try await emulator.control("POST", "/__emulator/faults", #"{"path":"/store/auth","delay_ms":3000}"#)
            let reply = try await bridge.call("auth.getSession", id: 1)
            #expect(reply["error"]?["code"] == -32002)
            #expect(reply["error"]?["data"]?["reason"] == "timeout")
        }
    }

    @Test("$/cancelRequest answers a slow call -32800 at once, and the bridge keeps serving")
    func cancellation() async throws {
        try await withBridge { bridge, emulator async throws in
            try await emulator.control("POST", "/__emulator/faults", #"{"path":"/store/auth","delay_ms":8000}"#)
            bridge.send(#"{"jsonrpc":"2.0","id":"slow","method":"auth.getSession"}"#)
            try await emulator.waitForRequests(1)
            bridge.send(#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"slow"}}"#)
            #expect(try await bridge.answer(to: "slow")["error"] == ["code": -32800, "message": "Request cancelled"])
            #expect(try await bridge.call("ping", id: 2)["result"] == [:])
        }
    }

    @Test("end of input with requests in flight: they are answered, then the process exits 0")
    func eofDrains() async throws {
        try await withBridge { bridge, emulator async throws in
            try await emulator.control("POST", "/__emulator/faults", #"{"path":"/store/auth/oli@test.dk","delay_ms":500}"#)
            bridge.send(#"{"jsonrpc":"2.0","id":1,"method":"auth.exists","params":["oli@test.dk"]}"#)
            bridge.send(#"{"jsonrpc":"2.0","id":2,"method":"auth.exists","params":["guest@test.dk"]}"#)
            bridge.child.closeStdin()
            try await bridge.waitForExit(0)
            try await bridge.child.waitForStdoutClosed()
            #expect(try await bridge.answer(to: 1)["result"] == ["exists": true])
            #expect(try await bridge.answer(to: 2)["result"] == ["exists": false])
        }
    }

    @Test("SIGTERM with a request in flight: it is answered, then the process exits 0")
    func sigterm() async throws {
        try await withBridge { bridge, emulator async throws in
            try await emulator.control("POST", "/__emulator/faults", #"{"path":"/store/auth","delay_ms":500}"#)
            bridge.send(#"{"jsonrpc":"2.0","id":1,"method":"auth.getSession"}"#)
            try await emulator.waitForRequests(1)
            bridge.child.signal(SIGTERM)
            try await bridge.waitForExit(0)
            #expect(try await bridge.answer(to: 1)["error"]?["data"]?["status"] == 401)
        }
    }

    @Test("SIGINT, like SIGTERM, with a call slower than the grace period: it is cancelled, answered -32800, and the process exits 0")
    func sigintCancelsStragglers() async throws {
        try await withBridge { bridge, emulator async throws in
            try await emulator.control("POST", "/__emulator/faults", #"{"path":"/store/auth","delay_ms":9000}"#)
            bridge.send(#"{"jsonrpc":"2.0","id":1,"method":"auth.getSession"}"#)
            try await emulator.waitForRequests(1)
            bridge.child.signal(SIGINT)
            try await bridge.waitForExit(0)
            #expect(try await bridge.answer(to: 1)["error"]?["code"] == -32800)
        }
    }

    @Test(
        "SIGTERM answers every message already read: calls that never started at once with -32800, the running one after the grace period")
    func sigtermAnswersEverythingRead() async throws {
        try await withBridge { bridge, emulator async throws in
            try await emulator.control("POST", "/__emulator/faults", #"{"method":"POST","path":"/store/auth","delay_ms":9000}"#)
            // One write: the login runs, the two calls behind it in its session wait, the ping shows all
            // four were read.
            bridge.child.write(
                [
                    #"{"jsonrpc":"2.0","id":1,"method":"auth.authenticate","params":{"email":"oli@test.dk","password":"test","session":"s"}}"#,
                    #"{"jsonrpc":"2.0","id":2,"method":"auth.getSession","params":{"session":"s"}}"#,
                    #"{"jsonrpc":"2.0","id":3,"method":"auth.exists","params":{"email":"oli@test.dk","session":"s"}}"#,
                    #"{"jsonrpc":"2.0","id":4,"method":"ping"}"#,
                ].joined(separator: "\n") + "\n")
            #expect(try await bridge.answer(to: 4)["result"] == [:])
            try await emulator.waitForRequests(1)
            bridge.child.signal(SIGTERM)
            try await bridge.waitForExit(0)
            try await bridge.child.waitForStdoutClosed()
            let ids = bridge.child.stdoutText.split(separator: "\n").compactMap { try? JSONParser.parse(Array($0.utf8))["id"]?.jsonText }
            // The two that never started are answered before the running login is given up on.
            #expect(ids.first == "4" && Set(ids.dropFirst().prefix(2)) == ["2", "3"] && ids.last == "1" && ids.count == 4)
            for id in 1...3 { #expect(try await bridge.answer(to: .number(JSONNumber(id)))["error"]?["code"] == -32800) }
        }
    }

    @Test("SIGTERM: calls whose requests wait for a free connection are answered -32800 at once and never sent")
    func sigtermAbandonsRequestsNotSent() async throws {
        try await withBridge(bridgeArguments: ["--max-connections", "1"]) { bridge, emulator async throws in
            // Shorter than the shutdown's grace (3 s): the first request is answered within it, freeing
            // the connection for the next, which must not be sent after the signal.
            try await emulator.control("POST", "/__emulator/faults", #"{"path":"/store/auth","delay_ms":1500}"#)
            // Four sessions' getSession: each call runs, but one connection carries one request at a time.
            for id in 1...4 { bridge.send(#"{"jsonrpc":"2.0","id":\#(id),"method":"auth.getSession","params":{"session":"s\#(id)"}}"#) }
            #expect(try await bridge.call("ping", id: 5)["result"] == [:])
            try await emulator.waitForRequests(1)
            bridge.child.signal(SIGTERM)
            try await bridge.waitForExit(0)
            // The request that was out is answered (401: no one logged in), the others never started.
            #expect(try await bridge.answer(to: 1)["error"]?["code"] == -32001)
            for id in 2...4 { #expect(try await bridge.answer(to: .number(JSONNumber(id)))["error"]?["code"] == -32800) }
            // Only the request that was out when the signal came ever reached Medusa.
            #expect(try await emulator.requests().filter { $0["path"] == "/store/auth" }.count == 1)
        }
    }

    @Test("a batch of 20,000 calls to a backend that never answers keeps the bridge small, and SIGTERM answers all of it")
    func hugeBatchStaysSmall() async throws {
        let backend = try SilentListener()
        defer { backend.close() }
        let bridge = try BridgeProcess(["--base-url", "http://127.0.0.1:\(backend.port)", "--timeout", "120", "--log-level", "debug"])
        defer { bridge.stop() }
        #expect(try await bridge.call("ping", id: 0)["result"] == [:])
        let baseline = try bridge.memoryKiB("VmRSS")
        let count = 20_000
        let calls = (1...count).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"auth.exists","params":["a\#($0)@b.co"]}"# }
        bridge.send("[" + calls.joined(separator: ",") + "]")
        try await bridge.waitForLog("a batch of \(count) message(s)")
        let peak = try bridge.memoryKiB("VmHWM")
        bridge.child.signal(SIGTERM)
        let answer = try JSONParser.parse(Array(try await bridge.nextLine().utf8))
        let codes = try #require(answer.arrayValue).map { $0["error"]?["code"] }
        #expect(codes.count == count && codes.allSatisfy { $0 == -32800 })
        try await bridge.waitForExit(0)
        // Before calls waited unstarted, this batch grew the bridge by 133 MiB.
        #expect(peak - baseline < 48 * 1024, "grew by \((peak - baseline) / 1024) MiB")
    }

    @Test("a client that closes stdout ends the bridge cleanly (EPIPE, not SIGPIPE) at its next answer")
    func brokenStdout() async throws {
        let child = try ChildProcess(
            BridgeProcess.binary, ["--base-url", "http://127.0.0.1:1", "--log-level", "info"], closeStdoutReader: true)
        defer { child.stop() }
        child.write(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"# + "\n")
        #expect(try await child.waitForExit() == 0)
        #expect(child.process.terminationReason == .exit)
        try await child.waitForStderrClosed()
        #expect(child.stderrText.contains("stdout is closed"))
    }
}

extension BridgeProcess {
    /// A `/proc/PID/status` figure in KiB (`VmRSS` now, `VmHWM` the peak).
    func memoryKiB(_ field: String) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(child.process.processIdentifier)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
            let value = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Int($0) })
        else { throw TimedOut(what: "\(field) in /proc status") }
        return value
    }

    /// Waits until stderr holds `text` (a bounded poll of the text collected so far).
    func waitForLog(_ text: String) async throws {
        let deadline = ContinuousClock.now + eventTimeout
        while !child.stderrText.contains(text) {
            guard ContinuousClock.now < deadline else { throw TimedOut(what: "'\(text)' on stderr") }
            await Task.yield()
        }
    }
}

/// A TCP listener on 127.0.0.1 that never accepts: connections wait in its backlog and requests are
/// never answered, a backend that hangs.
final class SilentListener: Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && listen(descriptor, 1024) == 0
                    && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(descriptor)
            throw TimedOut(what: "a listening socket (errno \(errno))")
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { Glibc.close(descriptor) }
}

extension Emulator {
    /// Waits until the emulator has received `count` store requests (a bounded poll: the emulator has
    /// no push channel; each look is a request to it, not a sleep).
    func waitForRequests(_ count: Int) async throws {
        let deadline = ContinuousClock.now + eventTimeout
        while try await requests().count < count {
            guard ContinuousClock.now < deadline else { throw TimedOut(what: "\(count) request(s) at the emulator") }
            await Task.yield()
        }
    }
}

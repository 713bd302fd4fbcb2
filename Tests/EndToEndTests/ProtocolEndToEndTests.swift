import Foundation
import JSON
import TestSupport
import Testing

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// Framing, batches, bad input and stdout purity through the real binary.
@Suite("End to end: protocol", .serialized)
struct ProtocolEndToEndTests {
    /// Every stdout line must be one complete JSON-RPC response or batch of them.
    static func expectPureStdout(_ bridge: BridgeProcess) throws {
        let text = bridge.child.stdoutText
        #expect(text.isEmpty || text.hasSuffix("\n"))
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            let message = try JSONParser.parse(Array(line.utf8))
            let responses = message.arrayValue ?? [message]
            for response in responses {
                #expect(response["jsonrpc"] == "2.0")
                #expect(response.objectValue?["id"] != nil)
                #expect((response["result"] == nil) != (response["error"] == nil))
            }
        }
    }

    @Test("notifications get nothing, batches one array in order, and the empty batch one error")
    func batchesAndNotifications() async throws {
        let bridge = try BridgeProcess(["--base-url", "http://127.0.0.1:1"])
        defer { bridge.stop() }
        bridge.send(#"{"jsonrpc":"2.0","method":"ping"}"#)
        bridge.send(#"[{"jsonrpc":"2.0","method":"ping"}]"#)
        bridge.send(#"[]"#)
        #expect(
            try await bridge.nextLine()
                == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: an empty batch"}}"#)
        bridge.send(
            #"[{"jsonrpc":"2.0","id":"b","method":"ping"},{"jsonrpc":"2.0","method":"ping"},{"jsonrpc":"2.0","id":9,"method":"nope"}]"#)
        #expect(
            try await bridge.nextLine()
                == #"[{"jsonrpc":"2.0","id":"b","result":{}},{"jsonrpc":"2.0","id":9,"error":{"code":-32601,"message":"Method not found: nope"}}]"#
        )
        bridge.child.closeStdin()
        try await bridge.waitForExit(0)
        try await bridge.child.waitForStdoutClosed()
        #expect(bridge.child.stdoutText.split(separator: "\n").count == 2)
        try Self.expectPureStdout(bridge)
    }

    @Test("LSP framing is detected from Content-Length and used for the answers")
    func lspFraming() async throws {
        let bridge = try BridgeProcess(["--base-url", "http://127.0.0.1:1"])
        defer { bridge.stop() }
        let first = #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#
        let second = "{\"jsonrpc\":\"2.0\",\n\"id\":\"é\",\"method\":\"ping\"}"
        bridge.child.write("Content-Length: \(first.utf8.count)\r\n\r\n\(first)Content-Length: \(second.utf8.count)\r\n\r\n\(second)")
        bridge.child.closeStdin()
        try await bridge.child.waitForStdoutClosed()
        let one = #"{"jsonrpc":"2.0","id":1,"result":{}}"#
        let two = #"{"jsonrpc":"2.0","id":"é","result":{}}"#
        #expect(bridge.child.stdoutText == "Content-Length: \(one.utf8.count)\r\n\r\n\(one)Content-Length: \(two.utf8.count)\r\n\r\n\(two)")
    }

    @Test("CRLF, blank lines and a last line without a newline are accepted")
    func lineEndings() async throws {
        let bridge = try BridgeProcess(["--base-url", "http://127.0.0.1:1"])
        defer { bridge.stop() }
        bridge.child.write(
            "\r\n\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r\n   \n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}")
        bridge.child.closeStdin()
        try await bridge.waitForExit(0)
        try await bridge.child.waitForStdoutClosed()
        #expect(bridge.child.stdoutText == "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}\n")
    }

    @Test("an over-long line is answered -32600 with id null and the next line is served")
    func overLongLine() async throws {
        let bridge = try BridgeProcess(["--base-url", "http://127.0.0.1:1", "--max-message-bytes", "1024"])
        defer { bridge.stop() }
        bridge.child.write(
            #"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":""# + String(repeating: "x", count: 200_000) + "\"}}\n")
        bridge.send(#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#)
        let error = try JSONParser.parse(Array(try await bridge.nextLine().utf8))
        #expect(error["id"] == .null)
        #expect(error["error"]?["code"] == -32600)
        #expect(try await bridge.nextLine() == #"{"jsonrpc":"2.0","id":2,"result":{}}"#)
    }

    @Test("invalid UTF-8 and broken JSON are -32700 with id null, and the process keeps serving")
    func invalidInput() async throws {
        let bridge = try BridgeProcess(["--base-url", "http://127.0.0.1:1"])
        defer { bridge.stop() }
        bridge.child.write([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D, 0x0A])
        bridge.child.write([0x00, 0x01, 0x0A])
        bridge.send(#"{"jsonrpc":"2.0","id":3,"method":"ping"}"#)
        for _ in 0..<2 {
            let error = try JSONParser.parse(Array(try await bridge.nextLine().utf8))
            #expect(error["id"] == .null && error["error"]?["code"] == -32700)
        }
        #expect(try await bridge.nextLine() == #"{"jsonrpc":"2.0","id":3,"result":{}}"#)
        try Self.expectPureStdout(bridge)
    }

    @Test("U+2028 and U+2029 in answers are escaped so no line reader splits a message")
    func lineSeparators() async throws {
        try await withBridge { bridge, _ async throws in
            let reply = try await bridge.call("auth.getSession", id: 1, "{\"session\":\"s\u{2028}\u{2029}\"}")
            #expect(reply["error"]?["code"] == -32001)
            #expect(!bridge.child.stdoutText.contains("\u{2028}"))
            let list = try await bridge.call("session.list", id: 2)
            #expect(list["result"]?["sessions"]?.arrayValue?.first?["name"] == "s\u{2028}\u{2029}")
            #expect(bridge.child.stdoutText.contains(#"s\u2028\u2029"#))
        }
    }

    @Test("--help and --version print to stdout; a bad flag is one line on stderr saying what is wrong, and exit status 64")
    func commandLine() async throws {
        let help = try BridgeProcess(["--help"])
        defer { help.stop() }
        try await help.waitForExit(0)
        try await help.child.waitForStdoutClosed()
        #expect(help.child.stdoutText.hasPrefix("usage: medusa-auth-bridge [options]"))
        let version = try BridgeProcess(["--version"])
        defer { version.stop() }
        try await version.waitForExit(0)
        try await version.child.waitForStdoutClosed()
        #expect(version.child.stdoutText == "medusa-auth-bridge 0.1.0 (protocol 1.0)\n")
        let bad = try BridgeProcess(["--max-retries", "lots"])
        defer { bad.stop() }
        try await bad.waitForExit(64)
        try await bad.child.waitForStderrClosed()
        #expect(bad.child.stderrText == "medusa-auth-bridge: --max-retries must be a whole number from 0 to 100, not 'lots'\n")
        #expect(bad.child.stdoutText.isEmpty)
        let schemeless = try BridgeProcess(["--base-url", "127.0.0.1:9000"])
        defer { schemeless.stop() }
        try await schemeless.waitForExit(64)
        try await schemeless.child.waitForStderrClosed()
        #expect(schemeless.child.stderrText.hasSuffix("it has no scheme (did you mean http://127.0.0.1:9000?)\n"))
    }
}

extension BridgeProcess {
    /// Waits for the process to exit and checks its status.
    func waitForExit(_ expected: Int32, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let status = try await child.waitForExit()
        #expect(status == expected, "exit status", sourceLocation: sourceLocation)
    }
}

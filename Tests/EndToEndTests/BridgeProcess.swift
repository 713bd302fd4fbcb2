import Foundation
import JSON
import Synchronization
import TestSupport

/// The built `medusa-auth-bridge` in a child process, talking NDJSON through its pipes.
final class BridgeProcess: Sendable {
    let child: ChildProcess
    /// Answers read but not asked for yet, by id text (pipelined answers arrive in any order).
    private let unclaimed = Mutex<[String: [JSONValue]]>([:])

    /// The binary SwiftPM built beside the test bundle.
    static var binary: URL {
        let beside = Bundle.main.bundleURL.appendingPathComponent("medusa-auth-bridge")
        if FileManager.default.fileExists(atPath: beside.path) { return beside }
        return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("medusa-auth-bridge")
    }

    init(binary: URL = BridgeProcess.binary, _ arguments: [String], environment: [String: String]? = nil) throws {
        child = try ChildProcess(binary, arguments, environment: environment)
    }

    /// Starts a bridge for `emulator` with extra flags.
    convenience init(for emulator: Emulator, _ arguments: [String] = []) throws {
        try self.init(["--base-url", emulator.url] + arguments)
    }

    func send(_ text: String) { child.write(text + "\n") }

    /// Sends one request and waits for the answer with its id.
    func call(_ text: String) async throws -> JSONValue {
        let request = try JSONParser.parse(Array(text.utf8))
        send(text)
        return try await answer(to: request["id"] ?? .null)
    }

    /// Calls `method` with by-name params and returns the whole answer.
    func call(_ method: String, id: Int, _ params: String = "{}") async throws -> JSONValue {
        try await call(#"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":\#(params)}"#)
    }

    /// The next answer whose id is `id`, keeping the others for later.
    func answer(to id: JSONValue) async throws -> JSONValue {
        let key = id.jsonText
        while true {
            if let found = unclaimed.withLock({ table -> JSONValue? in
                guard var list = table[key], !list.isEmpty else { return nil }
                let first = list.removeFirst()
                table[key] = list
                return first
            }) {
                return found
            }
            let line = try await child.nextLine("the answer to id \(key)")
            let message = try JSONParser.parse(Array(line.utf8))
            unclaimed.withLock { $0[(message["id"] ?? .null).jsonText, default: []].append(message) }
        }
    }

    /// The next raw line on stdout.
    func nextLine() async throws -> String { try await child.nextLine("a line on stdout") }

    func stop() { child.stop() }
}

/// Runs `body` with a fresh emulator and a bridge for it, and stops both whatever happens.
func withBridge(
    emulatorArguments: [String] = [], bridgeArguments: [String] = [], _ body: (BridgeProcess, Emulator) async throws -> Void
) async throws {
    let emulator = try await Emulator(emulatorArguments)
    defer { emulator.stop() }
    let bridge = try BridgeProcess(for: emulator, bridgeArguments)
    defer { bridge.stop() }
    try await body(bridge, emulator)
}

/// Runs `body` with a fresh emulator in Medusa v2 mode and a bridge for it holding the emulator's
/// publishable key, and stops both whatever happens.
func withV2Bridge(
    emulatorArguments: [String] = [], bridgeArguments: [String] = [], _ body: (BridgeProcess, Emulator) async throws -> Void
) async throws {
    let emulator = try await Emulator(["--medusa-version", "2"] + emulatorArguments)
    defer { emulator.stop() }
    let bridge = try BridgeProcess(for: emulator, ["--publishable-api-key", emulator.publishableKey ?? ""] + bridgeArguments)
    defer { bridge.stop() }
    try await body(bridge, emulator)
}

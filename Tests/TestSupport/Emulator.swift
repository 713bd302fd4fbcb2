import Foundation
import JSON

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The repository's root, found from this file's path.
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A Medusa emulator (scripts/emulator) in a child process, on a port the OS picked.
public final class Emulator: Sendable {
    public let child: ChildProcess
    public let url: String
    /// The publishable API key a v2-mode emulator requires on `/store/*` (from its address line).
    public let publishableKey: String?

    public init(_ arguments: [String] = []) async throws {
        let script = repositoryRoot.appendingPathComponent("scripts/emulator/medusa_emulator.py").path
        child = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", script, "--port", "0", "--exit-on-stdin-eof", "--quiet"] + arguments)
        let line: String
        do {
            line = try await child.nextLine("the emulator's address")
        } catch {
            child.stop()
            throw error
        }
        let address = try? JSONParser.parse(Array(line.utf8))
        guard let url = address?["url"]?.stringValue else {
            child.stop()
            throw TimedOut(what: "a JSON address line from the emulator, got \(line) \(child.stderrText)")
        }
        self.url = url
        publishableKey = address?["publishable_key"]?.stringValue
    }

    public func stop() { child.stop() }

    /// Calls the emulator's control API and returns the parsed answer.
    @discardableResult
    public func control(_ method: String, _ path: String, _ body: String? = nil) async throws -> JSONValue {
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, _) = try await URLSession.shared.data(for: request)
        return try JSONParser.parse(Array(data))
    }

    /// The /store requests the emulator received, in arrival order.
    public func requests() async throws -> [JSONValue] {
        try await control("GET", "/__emulator/requests")["requests"]?.arrayValue ?? []
    }
}

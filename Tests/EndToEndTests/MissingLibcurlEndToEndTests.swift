import Foundation
import JSON
import TestSupport
import Testing

/// The bridge loads libcurl with dlopen (Sources/CurlShim), so a machine without it still runs the
/// bridge: every method that needs no HTTP answers, every HTTP call is -32002 saying what to install,
/// and stderr says it once. Run on a copy of the built binary whose libcurl soname is replaced by one
/// that cannot load (the binary has no switch for this): the same code as in production, only the
/// name differs.
@Suite("End to end: without libcurl")
struct MissingLibcurlEndToEndTests {
    @Test("a soname that does not exist: ping and session.list answer, HTTP calls are -32002, one line on stderr")
    func missingLibrary() async throws {
        try await checkBridge(loading: "libnone.so.4", because: "libnone.so.4: cannot open shared object file")
    }

    @Test("a library without libcurl's functions: the missing symbol is named the same way")
    func missingSymbol() async throws {
        // glibc is always there, and has no curl_ functions. Same length: the rest of the name is NULs.
        try await checkBridge(loading: "libc.so.6\0\0\0", because: "undefined symbol: curl_")
    }

    private func checkBridge(loading soname: String, because error: String) async throws {
        let binary = try Self.binary(loading: soname)
        defer { try? FileManager.default.removeItem(at: binary.deletingLastPathComponent()) }
        let bridge = try BridgeProcess(binary: binary, ["--base-url", "http://127.0.0.1:1"])
        defer { bridge.stop() }
        #expect(try await bridge.call("ping", id: 1)["result"] == [:])
        #expect(try await bridge.call("session.list", id: 2)["result"] != nil)
        // libcurl was never linked: the loader did not map it before `main` either.
        let maps = try String(contentsOfFile: "/proc/\(bridge.child.process.processIdentifier)/maps", encoding: .utf8)
        #expect(!maps.contains("libcurl.so"))
        let name = soname.prefix { $0 != "\0" }
        for id in 3...4 {
            let reply = try await bridge.call("auth.exists", id: id, #"["oli@test.dk"]"#)
            #expect(reply["error"]?["code"] == -32002)
            let detail = reply["error"]?["data"]?["detail"]?.stringValue ?? ""
            #expect(detail.hasPrefix("cannot load \(name) ("), "\(detail)")
            #expect(detail.contains(error), "\(detail)")
            #expect(detail.contains("Debian/Ubuntu: libcurl4, libcurl4t64 on Debian 13 and Ubuntu 24.04; Fedora/RHEL: libcurl"))
        }
        bridge.child.closeStdin()
        #expect(try await bridge.child.waitForExit() == 0)
        try await bridge.child.waitForStderrClosed()
        let lines = bridge.child.stderrText.split(separator: "\n").filter { $0.contains("libcurl") }
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.hasPrefix("medusa-auth-bridge [error] cannot load \(name) (") == true)
        #expect(lines.first?.contains(error) == true)
    }

    /// A copy of the built bridge, in a folder of its own, that loads `soname` instead of libcurl.so.4.
    private static func binary(loading soname: String) throws -> URL {
        var bytes = try Data(contentsOf: BridgeProcess.binary)
        let original = Data("libcurl.so.4".utf8)
        let replacement = Data(soname.utf8)
        try #require(replacement.count == original.count)
        var found = 0
        var start = bytes.startIndex
        while let range = bytes.range(of: original, in: start..<bytes.endIndex) {
            bytes.replaceSubrange(range, with: replacement)
            start = range.upperBound
            found += 1
        }
        // The soname is written once, in Sources/CurlShim/CurlShim.c (and in debug info, maybe).
        try #require(found >= 1, "the binary no longer names libcurl.so.4")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bridge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let copy = folder.appendingPathComponent("medusa-auth-bridge")
        try bytes.write(to: copy)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy.path)
        return copy
    }
}

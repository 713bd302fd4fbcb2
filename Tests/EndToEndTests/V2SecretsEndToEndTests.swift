import Foundation
import JSON
import TestSupport
import Testing

/// Nothing the v2 methods handle (passwords, tokens, the session cookie, the publishable key, an OAuth
/// code, a reset token) reaches the bridge's stderr, even at `--log-level trace`.
@Suite("End to end: Medusa v2 secrets stay out of the log", .serialized)
struct V2SecretsEndToEndTests {
    @Test("a trace log of every v2 flow holds no password, token, cookie value, key or OAuth code", arguments: ["jwt", "session"])
    func traceLogHoldsNoSecret(authType: String) async throws {
        try await withV2Bridge(bridgeArguments: ["--auth-type", authType, "--log-level", "trace"]) { bridge, emulator async throws in
            var secrets = ["bob-password", "sam-password", "alice-new-password", "google-code-new", try #require(emulator.publishableKey)]
            func keep(_ reply: JSONValue) {
                if let token = reply["result"]?["token"]?.stringValue { secrets.append(token) }
            }
            keep(try await bridge.call("auth.login", id: 1, #"{"email":"bob@example.com","password":"bob-password"}"#))
            keep(try await bridge.call("auth.refresh", id: 2))
            keep(try await bridge.call("auth.signup", id: 3, #"{"email":"sam@example.com","password":"sam-password","session":"sam"}"#))
            #expect(try await bridge.call("auth.resetPassword", id: 4, #"{"identifier":"alice@example.com"}"#)["result"] == [:])
            let events = try await emulator.control("GET", "/__emulator/events/auth.password_reset")["events"]?.arrayValue ?? []
            let reset = try #require(events.last?["data"]?["token"]?.stringValue)
            secrets.append(reset)
            let update = try await bridge.call("auth.updateProvider", id: 5, #"{"token":"\#(reset)","password":"alice-new-password"}"#)
            #expect(update["result"] == [:])
            let start = try await bridge.call("auth.login", id: 6, #"{"provider":"google","session":"nora"}"#)
            let location = try #require(start["result"]?["location"]?.stringValue)
            let state = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "state" }?.value)
            keep(
                try await bridge.call(
                    "auth.callback", id: 7,
                    #"{"provider":"google","query":{"code":"google-code-new","state":"\#(state)"},"session":"nora"}"#))
            #expect(try await bridge.call("store.customer.retrieve", id: 8)["result"] != nil)
            #expect(try await bridge.call("auth.logout", id: 9)["result"] == [:])
            let cookies = try await emulator.requests().compactMap { $0["headers"]?["cookie"]?.stringValue }
            secrets += cookies.compactMap { $0.split(separator: "=", maxSplits: 1).last.map(String.init) }
            if authType == "session" { #expect(!cookies.isEmpty) }
            bridge.child.closeStdin()
            #expect(try await bridge.child.waitForExit() == 0)
            let log = bridge.child.stderrText
            #expect(log.contains("auth.login"), "the trace log is empty: \(log.prefix(200))")
            for secret in secrets { #expect(!log.contains(secret), "the log holds a secret of \(secret.count) characters") }
        }
    }
}

import JSON
import Testing

@testable import Bridge

@Suite("Redaction of logged messages")
struct RedactionTests {
    @Test("passwords, tokens, cookies, keys and every custom header value are masked at any depth")
    func masksSecrets() throws {
        let message = try parse(
            #"{"jsonrpc":"2.0","id":1,"method":"auth.getToken","params":[{"email":"a@b.co","password":"pw-1"},{"Cookie":"sid=2","X-Any":"v-3"}],"result":{"access_token":"tok-4"},"x":{"Authorization":"Bearer tok-5","x-publishable-api-key":"pk-6"}}"#
        )
        let text = Redaction.redact(message).jsonText
        for secret in ["pw-1", "tok-4", "tok-5", "pk-6"] { #expect(!text.contains(secret)) }
        #expect(text.contains("a@b.co"))
        let named = try parse(#"{"params":{"customHeaders":{"X-Any":"v-3"},"password":"pw-7"}}"#)
        let namedText = Redaction.redact(named).jsonText
        #expect(!namedText.contains("v-3") && !namedText.contains("pw-7"))
        #expect(namedText.contains("X-Any"))
    }

    @Test("text that is not JSON is described by its size only")
    func nonJSON() {
        #expect(Redaction.describe(Array("password=secret".utf8)) == "<15 bytes, not JSON>")
    }
}

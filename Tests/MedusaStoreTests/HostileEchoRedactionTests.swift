import Foundation
import JSON
import Testing

@testable import MedusaStore

@Suite("Secrets a hostile backend echoes in its own spelling never reach an error's data")
struct HostileEchoRedactionTests {
    private func redactor(
        password: String = "long-enough-pw", configured: HTTPHeaders = [:], custom: HTTPHeaders = [:],
        configuredSecrets: [String] = [], query: [(name: String, value: String)] = []
    ) -> SecretRedactor {
        // The request as MedusaClient makes it: its headers hold the configured ones and the call's own.
        SecretRedactor(
            request: HTTPRequest(
                method: "POST", url: "http://h/" + MedusaClient.queryString(query), headers: configured.merging(custom),
                body: JSONValue.object(JSONObject([(key: "password", value: .string(password))])).serialized(),
                timeout: .seconds(1)), setCookies: [],
            configuredSecrets: configuredSecrets, queryIsSecret: !query.isEmpty)
    }

    @Test("header values the caller supplied are secrets; short values under names that are no credential, and media types, are kept")
    func suppliedHeaders() {
        let redactor = redactor(
            configured: ["X-Store-Secret": "cfgSECRETvalue", "X-Channel": "mobile"],
            custom: ["X-Api-Key": "abcd", "Accept": "text/plain", "X-Tenant": "tenant-0042"])
        #expect(
            redactor.redact("got cfgSECRETvalue, abcd, tenant-0042 via mobile as text/plain")
                == "got [redacted], [redacted], [redacted] via mobile as text/plain")
    }

    @Test("a callback's query values are found as sent and percent-encoded in either hex case")
    func callbackQuery() {
        let redactor = redactor(query: [(name: "code", value: "4/0AX4XfWh-SECRET"), (name: "lang", value: "en")])
        #expect(redactor.redact("Location: /cb?code=4%2F0AX4XfWh-SECRET&lang=en") == "Location: /cb?code=[redacted]&lang=en")
        #expect(redactor.redact("Cannot GET /cb?code=4%2f0AX4XfWh-SECRET") == "Cannot GET /cb?code=[redacted]")
        #expect(redactor.redact("raw 4/0AX4XfWh-SECRET") == "raw [redacted]")
    }

    @Test("a password is found percent-encoded, as a form, and with punctuation as \\u00XX (Go's & < >, or all of it)")
    func encodedPassword() {
        let redactor = redactor(password: "hunter2&<go> secret")
        #expect(redactor.redact("/login?pw=hunter2%26%3Cgo%3E%20secret") == "/login?pw=[redacted]")
        #expect(redactor.redact("/login?pw=hunter2%26%3cgo%3e%20secret") == "/login?pw=[redacted]")
        #expect(redactor.redact("pw=hunter2%26%3Cgo%3E+secret") == "pw=[redacted]")
        #expect(
            redactor.redact(#"{"error":"bad login for hunter2\u0026\u003cgo\u003e secret"}"#) == #"{"error":"bad login for [redacted]"}"#)
        #expect(redactor.redact(#"{"e":"hunter2\u0026\u003cgo\u003e\u0020secret"}"#) == #"{"e":"[redacted]"}"#)
    }

    @Test("a password in a spelling only decoding reveals withholds the whole text")
    func mixedSpelling() {
        let redactor = redactor(password: "hunter2&<go> secret")
        #expect(redactor.redact("pw=hunter2%26<go>%20secret") == SecretRedactor.withheld)
        #expect(redactor.redact(#"{"e":"hunter2\u0026<go\u003e secret"}"#) == SecretRedactor.withheld)
        #expect(redactor.redact("50% off, \\o/") == "50% off, \\o/")
    }

    @Test("proxy credentials given to the configuration are secrets")
    func proxyCredentials() {
        let basic = Data("proxyuser:proxyPa55word".utf8).base64EncodedString()
        let redactor = redactor(configuredSecrets: ["proxyuser", "proxyPa55word", basic])
        #expect(redactor.redact("Proxy-Authorization: Basic \(basic)") == "Proxy-Authorization: Basic [redacted]")
    }

    @Test("a secret that straddles the bytes read of a long page leaves no part, however long its characters")
    func straddlingSecret() {
        let password = "CorrectHorseBattery9"
        let marks = String(repeating: "\u{301}", count: (8192 - password.utf8.count) / 2)
        let body = Array(("x" + marks + password + " was wrong").utf8)
        let text = truncatedText(body, limit: 1024, redactor: redactor(password: password))
        #expect(!text.contains("Correct"))
        #expect(text.unicodeScalars.count <= 1025)
        #expect(text.unicodeScalars.starts(with: "x\u{301}".unicodeScalars) && text.hasSuffix("…"))
    }

    @Test("a JWT cut off by the bytes read leaves no part")
    func straddlingJWT() {
        // 1,000 characters of 4 bytes each, then a JWT longer than what is left of the bytes read
        // (limit * 4 + 4096): the cut falls inside it, and the 1,024 characters kept reach it.
        let jwt = "eyJhbGciOiJIUzI1NiJ9." + String(repeating: "A", count: 5000) + ".sig"
        let prefix = String(repeating: "\u{1F600}", count: 1000)
        let text = truncatedText(Array((prefix + " " + jwt).utf8), limit: 1024, redactor: SecretRedactor())
        #expect(text.unicodeScalars.starts(with: prefix.unicodeScalars))
        #expect(!text.contains("eyJ"))
    }

    @Test("token, secret and password members of an answer are masked, parsed whole or read from a cut start")
    func answerFields() {
        let body = #"{"token":"opaque-\"quoted\"-SECRET","note":"kept","nested":[{"client_secret":"cs-123456"}]}"#
        #expect(
            truncatedText(Array(body.utf8), limit: 1024, redactor: SecretRedactor())
                == #"{"token":"[redacted]","note":"kept","nested":[{"client_secret":"[redacted]"}]}"#)
        let long = #"{"access_token" : "opaque-SECRET-xyz","pad":""# + String(repeating: "x", count: 20_000)
        let start = truncatedText(Array(long.utf8), limit: 1024, redactor: SecretRedactor())
        #expect(start.hasPrefix(#"{"access_token" : "[redacted]","pad":"xxx"#))
        var values: [String] = []
        #expect(
            SecretRedactor.maskingSecretFields(in: #"{"refreshToken":"cut-off-val"#, collecting: &values) == #"{"refreshToken":"[redacted]"#
        )
    }

    @Test("in a body longer than what can be shown, a secret member's value is masked, and so is its echo nearby")
    func answerFieldEchoedInLongBody() {
        let body =
            #"{"token":"opaque-SECRET-1","message":"bad token opaque-SECRET-1","pad":""# + String(repeating: "x", count: 20_000) + #""}"#
        let start = truncatedText(Array(body.utf8), limit: 1024, redactor: SecretRedactor())
        #expect(start.hasPrefix(#"{"token":"[redacted]","message":"bad token [redacted]","pad":"xxx"#))
        #expect(!start.contains("SECRET"))
    }
}

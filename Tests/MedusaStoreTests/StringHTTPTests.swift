import Testing

@testable import MedusaStore

@Suite("Text helpers for HTTP")
struct StringHTTPTests {
    @Test("spaces and tabs are trimmed from both ends only")
    func trimming() {
        #expect(" \t a b \t ".trimmingSpaces() == "a b")
        #expect("   ".trimmingSpaces() == "")
        #expect("x".trimmingSpaces() == "x")
        #expect("\u{A0}x".trimmingSpaces() == "\u{A0}x")
    }

    @Test("header names compare ASCII case-insensitively, and nothing else folds")
    func caseInsensitiveEquality() {
        #expect("Content-Length".caseInsensitiveEquals("content-LENGTH"))
        #expect("a-much-longer-header-name-than-fits-inline".caseInsensitiveEquals("A-MUCH-LONGER-HEADER-NAME-THAN-FITS-INLINE"))
        #expect("".caseInsensitiveEquals(""))
        #expect(!"Content-Length".caseInsensitiveEquals("Content-Lengtx"))
        #expect(!"Cookie".caseInsensitiveEquals("Cookies"))
        // Only letters fold: `@` (0x40) and backquote (0x60) differ by the same bit.
        #expect(!"a@".caseInsensitiveEquals("a`"))
        #expect(!"É".caseInsensitiveEquals("é"))
    }

    @Test("percent-encoding keeps letters, digits and the kept characters, and encodes UTF-8 bytes in upper-case hex")
    func percentEncoding() {
        #expect("oli@test.dk".percentEncoded(keeping: "@.") == "oli@test.dk")
        #expect("a/b?c#d%e f".percentEncoded(keeping: "") == "a%2Fb%3Fc%23d%25e%20f")
        #expect("é".percentEncoded(keeping: "") == "%C3%A9")
    }
}

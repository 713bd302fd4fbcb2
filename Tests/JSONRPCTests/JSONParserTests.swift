import JSON
import Testing

@Suite("JSON parser and writer")
struct JSONParserTests {
    private func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test("objects keep their key order and numbers their literal text when written back")
    func roundTripKeepsOrderAndNumbers() throws {
        let text = #"{"z":1,"a":[true,false,null],"m":{"y":-0.5e10,"x":"s"},"big":12345678901234567890,"f":1.0}"#
        #expect(try parse(text).jsonText == text)
    }

    @Test("whitespace around and inside values is accepted and dropped on output")
    func whitespace() throws {
        #expect(try parse(" \t\r\n{ \"a\" : [ 1 , 2 ] }\n ").jsonText == #"{"a":[1,2]}"#)
    }

    @Test("escapes decode, and the writer escapes only what JSON and line framing require")
    func escapes() throws {
        let value = try parse(#""q\" b\\ s\/ n\n r\r t\t \u00e9 \ud83d\ude00 \u0001""#)
        #expect(value == .string("q\" b\\ s/ n\n r\r t\t é 😀 \u{01}"))
        #expect(value.jsonText == #""q\" b\\ s/ n\n r\r t\t é 😀 \u0001""#)
    }

    @Test("U+2028 and U+2029 are written escaped so line readers cannot split a message on them")
    func lineSeparatorsAreEscaped() throws {
        #expect(JSONValue.string("a\u{2028}b\u{2029}c").jsonText == #""a\u2028b\u2029c""#)
    }

    @Test("a lone surrogate escape decodes to U+FFFD instead of failing the whole message")
    func loneSurrogates() throws {
        #expect(try parse(#""\ud800x""#) == .string("\u{FFFD}x"))
        #expect(try parse(#""\udc00""#) == .string("\u{FFFD}"))
        #expect(try parse(#""\ud800\u0041""#) == .string("\u{FFFD}A"))
    }

    @Test("strings without escapes read as written, ASCII or not")
    func unescapedStrings() throws {
        #expect(try parse("[\"oli@test.dk\", \"\", \"né 😀 x\", \"~\u{7F}\"]") == .array(["oli@test.dk", "", "né 😀 x", "~\u{7F}"]))
    }

    @Test("invalid UTF-8 is a parse error", arguments: [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]])
    func invalidUTF8(bytes: [UInt8]) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
    }

    @Test(
        "malformed texts are parse errors",
        arguments: [
            "", "{", "[1,]", "{\"a\"}", "01", "1.", "-", "1e", "tru", "nul", "\"a", "{\"a\":1,}", "[1 2]", "\"\u{01}\"", "1 2", "'a'",
            "\"\\x\"", "\"\\u12\"", "NaN", "{1:2}",
        ])
    func malformed(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test("nesting deeper than the limit is refused without exhausting the stack")
    func deepNesting() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try parse(deep) }
        let allowed = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        #expect(try parse(allowed).arrayValue != nil)
    }

    @Test("a repeated key resolves to its last value, and object equality ignores order")
    func objects() throws {
        let value = try parse(#"{"a":1,"a":2,"b":3}"#)
        #expect(value["a"] == 2)
        #expect(try parse(#"{"x":1,"y":2}"#) == (try parse(#"{"y":2,"x":1}"#)))
        #expect(try parse(#"{"x":1}"#) != (try parse(#"{"x":1,"y":2}"#)))
    }

    @Test("control characters in strings are written as \\u escapes, never raw")
    func controlCharacters() {
        let text = JSONValue.string("\u{00}\u{1F}\u{7F}").jsonText
        #expect(text == "\"\\u0000\\u001f\u{7F}\"")
        #expect(!text.utf8.contains { $0 < 0x20 })
    }
}

import JSONRPC
import Testing

@Suite("Framing")
struct FrameDecoderTests {
    private func messages(_ events: [FrameEvent]) -> [String] {
        events.compactMap { if case .message(let bytes) = $0 { String(decoding: bytes, as: UTF8.self) } else { nil } }
    }

    @Test("NDJSON lines split on LF, drop a trailing CR, and skip blank lines")
    func lines() {
        var decoder = FrameDecoder(mode: .ndjson, maximumMessageBytes: 1024)
        let events = decoder.push(Array("{\"a\":1}\n\r\n  \n{\"b\":2}\r\n{\"c\"".utf8)) + decoder.push(Array(":3}\n".utf8))
        #expect(messages(events) == [#"{"a":1}"#, #"{"b":2}"#, #"{"c":3}"#])
    }

    @Test("a last line without a newline is a message at end of input")
    func partialLineAtEOF() {
        var decoder = FrameDecoder(mode: .ndjson, maximumMessageBytes: 1024)
        #expect(decoder.push(Array("{\"a\":1}".utf8)).isEmpty)
        #expect(messages(decoder.finish()) == [#"{"a":1}"#])
    }

    @Test("a line split across many chunks is joined once")
    func chunked() {
        var decoder = FrameDecoder(mode: .auto, maximumMessageBytes: 1024)
        var events: [FrameEvent] = []
        for byte in Array("{\"id\":1}\n{\"id\":2}\n".utf8) { events += decoder.push([byte]) }
        #expect(messages(events) == [#"{"id":1}"#, #"{"id":2}"#])
        #expect(decoder.framing == .ndjson)
    }

    @Test("an over-long line is reported once, never buffered whole, and the next line still works")
    func overLongLine() {
        var decoder = FrameDecoder(mode: .ndjson, maximumMessageBytes: 16)
        var events = decoder.push(Array(repeating: UInt8(ascii: "x"), count: 10))
        events += decoder.push(Array(repeating: UInt8(ascii: "x"), count: 100_000))
        events += decoder.push(Array("yy\n{\"ok\":1}\n".utf8))
        #expect(events == [.tooLarge, .message(Array(#"{"ok":1}"#.utf8))])
    }

    @Test("a line of exactly the limit is accepted, with or without CR")
    func exactLimit() {
        var decoder = FrameDecoder(mode: .ndjson, maximumMessageBytes: 8)
        #expect(messages(decoder.push(Array("12345678\n12345678\r\n123456789\n".utf8))) == ["12345678", "12345678"])
    }

    @Test("auto mode switches the whole stream to LSP framing when it starts with Content-Length")
    func autoDetectsLSP() {
        var decoder = FrameDecoder(mode: .auto, maximumMessageBytes: 1024)
        var events = decoder.push(Array("Content-Len".utf8))
        #expect(decoder.framing == nil)
        events += decoder.push(Array("gth: 7\r\n\r\n{\"a\":1}content-length: 2\r\nContent-Type: x\r\n\r\n[]".utf8))
        #expect(decoder.framing == .lsp)
        #expect(messages(events) == [#"{"a":1}"#, "[]"])
    }

    @Test("LSP bodies may hold newlines and are counted in bytes, not characters")
    func lspCountsBytes() {
        var decoder = FrameDecoder(mode: .lsp, maximumMessageBytes: 1024)
        let body = "{\"é\":\n1}"
        let events = decoder.push(Array("Content-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8))
        #expect(messages(events) == [body])
    }

    @Test("LSP: a missing Content-Length is reported and the stream recovers at the next header block")
    func lspInvalidHeader() {
        var decoder = FrameDecoder(mode: .lsp, maximumMessageBytes: 1024)
        let events = decoder.push(Array("Content-Type: x\r\n\r\nContent-Length: 2\r\n\r\n{}".utf8))
        #expect(events == [.invalidHeader("missing or invalid Content-Length"), .message(Array("{}".utf8))])
    }

    @Test("LSP: a line that is no header (an NDJSON message between frames) is reported, and the announced frame still read")
    func lspLineThatIsNoHeader() {
        var decoder = FrameDecoder(mode: .lsp, maximumMessageBytes: 1024)
        let events = decoder.push(Array("{\"jsonrpc\":\"2.0\",\"id\":2}\nContent-Length: 2\r\n\r\n{}".utf8))
        #expect(events == [.invalidHeader("a header line that is not 'Name: value'"), .message(Array("{}".utf8))])
    }

    @Test("LSP: input ending inside a header block or short of the Content-Length is reported, never dropped silently")
    func lspCutShortAtTheEnd() {
        var headers = FrameDecoder(mode: .lsp, maximumMessageBytes: 1024)
        #expect(headers.push(Array("{\"id\":1}\n{\"id\":2}\n".utf8)).isEmpty)
        #expect(headers.finish() == [.invalidHeader("input ended inside an LSP header block")])
        var body = FrameDecoder(mode: .lsp, maximumMessageBytes: 1024)
        #expect(body.push(Array("Content-Length: 10\r\n\r\n{}".utf8)).isEmpty)
        #expect(body.finish() == [.invalidHeader("input ended 8 bytes short of the Content-Length")])
        var whole = FrameDecoder(mode: .lsp, maximumMessageBytes: 1024)
        #expect(whole.push(Array("Content-Length: 2\r\n\r\n{}\r\n".utf8)) == [.message(Array("{}".utf8))])
        #expect(whole.finish().isEmpty)
    }

    @Test("a byte order mark at the stream's start is dropped, even split over chunks, and the framing is decided after it")
    func byteOrderMark() {
        let mark: [UInt8] = [0xEF, 0xBB, 0xBF]
        var ndjson = FrameDecoder(mode: .auto, maximumMessageBytes: 1024)
        #expect(ndjson.push(mark + Array("{}\n".utf8)) == [.message(Array("{}".utf8))])
        var lsp = FrameDecoder(mode: .auto, maximumMessageBytes: 1024)
        var events: [FrameEvent] = []
        for byte in mark + Array("Content-Length: 2\r\n\r\n{}".utf8) { events += lsp.push([byte]) }
        #expect(events == [.message(Array("{}".utf8))] && lsp.framing == .lsp)
        // Only at the start; and the first bytes of a mark followed by anything else are kept as data.
        var later = FrameDecoder(mode: .ndjson, maximumMessageBytes: 1024)
        #expect(
            later.push(Array("{}\n".utf8) + mark + Array("x\n".utf8)) == [.message(Array("{}".utf8)), .message(mark + Array("x".utf8))])
        var partial = FrameDecoder(mode: .ndjson, maximumMessageBytes: 1024)
        #expect(partial.push([0xEF, 0xBB]).isEmpty)
        #expect(partial.push(Array("x\n".utf8)) == [.message([0xEF, 0xBB] + Array("x".utf8))])
        var cut = FrameDecoder(mode: .ndjson, maximumMessageBytes: 1024)
        #expect(cut.push([0xEF]).isEmpty)
        #expect(cut.finish() == [.message([0xEF])])
    }

    @Test("LSP: an over-long body is skipped without buffering and the next message is read")
    func lspTooLarge() {
        var decoder = FrameDecoder(mode: .lsp, maximumMessageBytes: 4)
        var events = decoder.push(Array("Content-Length: 10\r\n\r\n01234".utf8))
        events += decoder.push(Array("56789Content-Length: 2\r\n\r\n{}".utf8))
        #expect(events == [.tooLarge, .message(Array("{}".utf8))])
    }

    @Test("output framing: a newline after NDJSON messages, a byte-counted header for LSP")
    func encoding() {
        #expect(Framing.ndjson.frame(Array("{}".utf8)) == Array("{}\n".utf8))
        #expect(Framing.lsp.frame(Array("\"é\"".utf8)) == Array("Content-Length: 4\r\n\r\n\"é\"".utf8))
    }
}

/// libFuzzer entry point for the bridge's message decoding and framing (issue 5, "A coverage-guided
/// fuzzer for the message decoding and framing code").
///
/// `scripts/fuzz` compiles this file together with `Sources/JSON/*.swift` and
/// `Sources/JSONRPC/*.swift` into one module (`swiftc -sanitize=fuzzer,address -parse-as-library`), so
/// there is no `import` of those modules here and Package.swift is not involved.
///
/// Input layout: byte 0 picks the framing mode and `--max-message-bytes`, byte 1 seeds how the rest is
/// cut into `read(2)`-sized chunks; the rest is what a client wrote on stdin. For every input:
/// 1. the frame decoder's events do not depend on how the stream was chunked;
/// 2. every message that parses survives `JSONWriter` and the parser again unchanged, the writer's
///    output is byte-identical the second time, and never holds a raw newline, U+2028 or U+2029;
/// 3. `Incoming.decode` agrees with the parser, and the answers built for what it decoded
///    (`Response.encode`, single or batch) parse back with the request's id and the right shape;
/// 4. each answer, framed for NDJSON and for LSP, decodes back to exactly itself.
/// A violated check calls `fatalError`, which libFuzzer reports as a crash with the input saved.

@_cdecl("LLVMFuzzerTestOneInput")
public func medusaBridgeFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard bytes.count >= 2 else { return 0 }
    FuzzCase(bytes).run()
    return 0
}

/// Byte 0's choices. Small limits exercise the over-long line paths with short inputs.
private let fuzzModes: [FramingMode] = [.auto, .ndjson, .lsp]
private let fuzzLimits = [64, 100, 1000, 1 << 16]

struct FuzzCase {
    let mode: FramingMode
    let limit: Int
    let chunkSeed: UInt8
    let stream: [UInt8]

    init(_ bytes: [UInt8]) {
        mode = fuzzModes[Int(bytes[0]) % fuzzModes.count]
        limit = fuzzLimits[Int(bytes[0] >> 2) % fuzzLimits.count]
        chunkSeed = bytes[1]
        stream = Array(bytes[2...])
    }

    func run() {
        let whole = decode(chunked: false)
        let pieces = decode(chunked: true)
        check(whole == pieces, "frame events depend on chunking: \(whole) vs \(pieces)")
        for event in whole {
            switch event {
            case .message(let frame):
                checkMessage(frame)
            case .tooLarge:
                // In NDJSON the limit is about bytes actually sent (LSP trusts the Content-Length header).
                check(mode != .ndjson || limit < stream.count, "an over-long line reported in a stream shorter than the limit")
            case .invalidHeader:
                check(mode != .ndjson, "an LSP header error in NDJSON mode")
            }
        }
    }

    /// All events for the stream, pushed whole or in chunks of 1...16 bytes cut by a tiny LCG.
    func decode(chunked: Bool) -> [FrameEvent] {
        var decoder = FrameDecoder(mode: mode, maximumMessageBytes: limit)
        var events: [FrameEvent] = []
        if chunked {
            var state = UInt32(chunkSeed) | 1
            var start = 0
            while start < stream.count {
                state = state &* 1_103_515_245 &+ 12345
                let length = Int((state >> 16) % 16) + 1
                let end = min(stream.count, start + length)
                events += decoder.push(Array(stream[start..<end]))
                start = end
            }
        } else {
            events += decoder.push(stream)
        }
        events += decoder.finish()
        return events
    }

    func checkMessage(_ frame: [UInt8]) {
        check(frame.count <= limit, "a message of \(frame.count) bytes passed a limit of \(limit)")
        let parsed: JSONValue?
        do {
            parsed = try JSONParser.parse(frame)
        } catch {
            parsed = nil
            check(error.offset >= 0 && error.offset <= frame.count, "parse error offset \(error.offset) outside the frame")
            checkAnswer([.failure(.null, .parseError(error.description))], asBatch: false)
        }
        if let parsed { checkRoundTrip(parsed) }
        let incoming: Incoming
        do {
            incoming = try Incoming.decode(frame)
        } catch {
            check(parsed == nil, "Incoming.decode rejected what the parser accepted")
            return
        }
        check(parsed != nil, "Incoming.decode accepted what the parser rejected")
        switch incoming {
        case .single(let message):
            if let response = answer(to: message) { checkAnswer([response], asBatch: false) }
        case .batch(let messages):
            let answers = messages.compactMap(answer(to:))
            if !answers.isEmpty { checkAnswer(answers, asBatch: true) }
        }
    }

    /// JSONWriter then the parser give back the same value; writing again gives the same bytes.
    func checkRoundTrip(_ value: JSONValue) {
        let written = value.serialized()
        checkWireSafe(written)
        let reread: JSONValue
        do {
            reread = try JSONParser.parse(written)
        } catch {
            fatalError("JSONWriter wrote text its own parser rejects (\(error)): \(String(decoding: written, as: UTF8.self))")
        }
        check(reread == value, "round trip changed the value")
        check(reread.serialized() == written, "writing the re-read value gave different bytes")
    }

    /// What the dispatcher would send for one decoded message, with the params echoed as the result.
    func answer(to message: Result<Request, InvalidMessage>) -> Response? {
        switch message {
        case .failure(let invalid):
            return .failure(invalid.id, invalid.error)
        case .success(let request):
            guard let id = request.id else { return nil }
            check(RequestID(id.jsonValue) == id, "an id does not survive jsonValue")
            switch request.params {
            case .byName(let object)?: return .success(id, .object(object))
            case .byPosition(let values)?: return .success(id, .array(values))
            case nil: return .failure(id, .methodNotFound(request.method))
            }
        }
    }

    /// The encoded answer is wire-safe, parses back to the same ids and shape, and survives framing.
    func checkAnswer(_ responses: [Response], asBatch: Bool) {
        let encoded = Response.encode(responses, asBatch: asBatch)
        checkWireSafe(encoded)
        let value: JSONValue
        do {
            value = try JSONParser.parse(encoded)
        } catch {
            fatalError("an encoded answer is not JSON (\(error)): \(String(decoding: encoded, as: UTF8.self))")
        }
        let objects: [JSONValue]
        if asBatch {
            guard case .array(let elements) = value else { fatalError("a batch answer is not an array") }
            objects = elements
        } else {
            objects = [value]
        }
        check(objects.count == responses.count, "answer count changed in encoding")
        for (object, response) in zip(objects, responses) {
            check(object["jsonrpc"] == .string("2.0"), "jsonrpc member missing")
            check(object["id"] == response.id.jsonValue, "id changed in encoding")
            switch response.outcome {
            case .success(let result):
                check(object["result"] == result && object["error"] == nil, "result changed in encoding")
            case .failure(let error):
                check(object["error"] == error.jsonValue && object["result"] == nil, "error changed in encoding")
            }
        }
        checkFraming(encoded)
    }

    func checkFraming(_ payload: [UInt8]) {
        for framing in [Framing.ndjson, .lsp] {
            var decoder = FrameDecoder(mode: framing == .lsp ? .auto : .ndjson, maximumMessageBytes: payload.count + 1)
            let events = decoder.push(framing.frame(payload)) + decoder.finish()
            check(events == [.message(payload)], "a framed answer does not decode to itself with \(framing)")
        }
    }

    func checkWireSafe(_ bytes: [UInt8]) {
        check(!bytes.contains(0x0A), "a raw newline in written JSON")
        check(String(validating: bytes, as: UTF8.self) != nil, "written JSON is not valid UTF-8")
        for index in bytes.indices.dropLast(2) where bytes[index] == 0xE2 && bytes[index + 1] == 0x80 {
            check(bytes[index + 2] != 0xA8 && bytes[index + 2] != 0xA9, "a raw U+2028 or U+2029 in written JSON")
        }
    }

    func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
        if !condition() { fatalError("fuzz check failed: \(message())") }
    }
}

/// Splits a byte stream into messages, incrementally and without I/O, for either framing.
///
/// Rules (issue 2, "Process and framing"): NDJSON lines end with `\n`, a trailing `\r` is dropped,
/// blank lines are ignored, a last line without `\n` counts at end of input, and a line longer than
/// `maximumMessageBytes` is reported once and skipped to its end without being kept in memory. In
/// `auto` mode the first non-blank bytes decide the framing of the whole stream. A UTF-8 byte order
/// mark at the stream's very start is dropped (RFC 8259 §8.1 lets a parser ignore it), so that it
/// neither spoils the first message nor hides a `Content-Length:` from the framing's decision.
public struct FrameDecoder: Sendable {
    public let maximumMessageBytes: Int
    /// nil until `auto` mode has seen enough bytes to decide.
    public private(set) var framing: Framing?

    private static let lspPrefix = Array("content-length:".utf8)
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    /// LSP headers are a few dozen bytes; a header block larger than this is garbage, not a message.
    private static let maximumHeaderBytes = 8192

    private var undecided: [UInt8] = []
    private var pending: [UInt8] = []
    private var discarding = false
    private var lspState = LSPState.headers
    /// How many bytes of a byte order mark the stream has started with so far; nil once its first
    /// bytes are known not to be one, or the mark has been dropped.
    private var byteOrderMarkMatched: Int? = 0

    private enum LSPState: Sendable {
        case headers
        case body(remaining: Int)
        case skipping(remaining: Int)
    }

    public init(mode: FramingMode, maximumMessageBytes: Int) {
        self.maximumMessageBytes = maximumMessageBytes
        switch mode {
        case .auto: framing = nil
        case .ndjson: framing = .ndjson
        case .lsp: framing = .lsp
        }
    }

    public mutating func push(_ chunk: [UInt8]) -> [FrameEvent] {
        chunk.withUnsafeBufferPointer { push($0) }
    }

    public mutating func push(_ chunk: UnsafeBufferPointer<UInt8>) -> [FrameEvent] {
        if let matched = byteOrderMarkMatched { return pushAtStart(chunk, matched: matched) }
        var events: [FrameEvent] = []
        guard let framing else {
            decide(chunk, into: &events)
            return events
        }
        switch framing {
        case .ndjson: pushLines(chunk, into: &events)
        case .lsp: pushLSP(chunk, into: &events)
        }
        return events
    }

    /// The stream's first bytes: a byte order mark is dropped, whatever chunks it arrives in; the first
    /// bytes of one followed by anything else are data after all.
    private mutating func pushAtStart(_ chunk: UnsafeBufferPointer<UInt8>, matched: Int) -> [FrameEvent] {
        var matched = matched
        var index = 0
        while matched < Self.byteOrderMark.count, index < chunk.count, chunk[index] == Self.byteOrderMark[matched] {
            matched += 1
            index += 1
        }
        if matched < Self.byteOrderMark.count && index == chunk.count {
            byteOrderMarkMatched = matched  // all of it may still be the mark
            return []
        }
        byteOrderMarkMatched = nil
        var events = matched < Self.byteOrderMark.count ? push(Array(Self.byteOrderMark[0..<matched])) : []
        events += push(UnsafeBufferPointer(rebasing: chunk[index...]))
        return events
    }

    /// End of input: a last NDJSON line without a newline is still a message; an LSP frame cut short
    /// (headers without their blank line, a body short of its Content-Length) is reported, so that the
    /// message it held is answered -32700 instead of silently lost.
    public mutating func finish() -> [FrameEvent] {
        var events: [FrameEvent] = []
        if let matched = byteOrderMarkMatched {
            byteOrderMarkMatched = nil
            events = push(Array(Self.byteOrderMark[0..<matched]))  // a stream that ended inside the mark
        }
        if framing == nil {
            framing = .ndjson
            let buffered = undecided
            undecided = []
            buffered.withUnsafeBufferPointer { pushLines($0, into: &events) }
        }
        if framing == .ndjson, !discarding { emitLine(&events) }
        if framing == .lsp {
            switch lspState {
            case .body(let remaining): events.append(.invalidHeader("input ended \(remaining) bytes short of the Content-Length"))
            case .headers where !pending.isEmpty: events.append(.invalidHeader("input ended inside an LSP header block"))
            case .headers, .skipping: break
            }
            lspState = .headers
        }
        pending = []
        discarding = false
        return events
    }

    private mutating func decide(_ chunk: UnsafeBufferPointer<UInt8>, into events: inout [FrameEvent]) {
        for byte in chunk where !(undecided.isEmpty && isWhitespace(byte)) { undecided.append(byte) }
        let prefix = Self.lspPrefix
        let compared = min(undecided.count, prefix.count)
        let matches = (0..<compared).allSatisfy { lowercased(undecided[$0]) == prefix[$0] }
        if matches && compared < prefix.count { return }
        framing = matches ? .lsp : .ndjson
        let buffered = undecided
        undecided = []
        buffered.withUnsafeBufferPointer { buffer in
            if matches { pushLSP(buffer, into: &events) } else { pushLines(buffer, into: &events) }
        }
    }

    // MARK: NDJSON

    private mutating func pushLines(_ chunk: UnsafeBufferPointer<UInt8>, into events: inout [FrameEvent]) {
        var start = 0
        while start < chunk.count {
            let newline = chunk[start...].firstIndex(of: 0x0A)
            let end = newline ?? chunk.count
            if !discarding {
                if pending.count + (end - start) > maximumMessageBytes + 1 {
                    // +1 tolerates the `\r` of a CRLF line of exactly the limit.
                    discarding = true
                    pending = []
                    events.append(.tooLarge)
                } else if newline != nil && pending.isEmpty {
                    appendLine(UnsafeBufferPointer(rebasing: chunk[start..<end]), into: &events)
                } else {
                    pending.append(contentsOf: chunk[start..<end])
                }
            }
            guard newline != nil else { return }
            if discarding {
                discarding = false
            } else if !pending.isEmpty {
                emitLine(&events)
            }
            start = end + 1
        }
    }

    private mutating func emitLine(_ events: inout [FrameEvent]) {
        let line = pending
        pending = []
        line.withUnsafeBufferPointer { appendLine($0, into: &events) }
    }

    private func appendLine(_ line: UnsafeBufferPointer<UInt8>, into events: inout [FrameEvent]) {
        var end = line.count
        if end > 0 && line[end - 1] == 0x0D { end -= 1 }
        let body = UnsafeBufferPointer(rebasing: line[0..<end])
        guard body.contains(where: { !isWhitespace($0) }) else { return }
        guard body.count <= maximumMessageBytes else {
            events.append(.tooLarge)
            return
        }
        events.append(.message(Array(body)))
    }

    // MARK: LSP base protocol

    private mutating func pushLSP(_ chunk: UnsafeBufferPointer<UInt8>, into events: inout [FrameEvent]) {
        var index = 0
        while index < chunk.count {
            switch lspState {
            case .skipping(let remaining):
                let taken = min(remaining, chunk.count - index)
                index += taken
                lspState = remaining - taken == 0 ? .headers : .skipping(remaining: remaining - taken)
            case .body(let remaining):
                let taken = min(remaining, chunk.count - index)
                pending.append(contentsOf: chunk[index..<(index + taken)])
                index += taken
                if remaining - taken == 0 {
                    events.append(.message(pending))
                    pending = []
                    lspState = .headers
                } else {
                    lspState = .body(remaining: remaining - taken)
                }
            case .headers:
                let byte = chunk[index]
                index += 1
                if pending.isEmpty && isWhitespace(byte) { continue }
                pending.append(byte)
                if byte == 0x0A, let headerEnd = headerBlockEnd() {
                    let block = Array(pending[0..<headerEnd])
                    pending = []
                    startBody(headers: block, into: &events)
                } else if pending.count > Self.maximumHeaderBytes {
                    pending = []
                    events.append(.invalidHeader("header block longer than \(Self.maximumHeaderBytes) bytes"))
                }
            }
        }
    }

    /// The end of the header block in `pending` when it ends with an empty line (`\r\n\r\n` or `\n\n`).
    private func headerBlockEnd() -> Int? {
        let count = pending.count
        if count >= 2 && pending[count - 2] == 0x0A { return count - 2 }
        if count >= 3 && pending[count - 3] == 0x0A && pending[count - 2] == 0x0D { return count - 3 }
        return nil
    }

    private mutating func startBody(headers block: [UInt8], into events: inout [FrameEvent]) {
        let text = String(decoding: block, as: UTF8.self)
        var length: Int?
        var malformed = false
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            guard let colon = line.firstIndex(of: ":"), HeaderSyntax.isToken(line[..<colon]) else {
                malformed = true
                continue
            }
            if line[..<colon].lowercased() == "content-length" {
                length = Int(line[line.index(after: colon)...].trimmingCharacters(in: " \t"))
            }
        }
        guard let length, length >= 0 else {
            events.append(.invalidHeader("missing or invalid Content-Length"))
            return
        }
        // A line that is no header (an NDJSON message sent between LSP frames) would otherwise be lost
        // without an answer; the frame the block's Content-Length announces is still read.
        if malformed { events.append(.invalidHeader("a header line that is not 'Name: value'")) }
        if length > maximumMessageBytes {
            events.append(.tooLarge)
            lspState = length == 0 ? .headers : .skipping(remaining: length)
        } else if length == 0 {
            events.append(.message([]))
        } else {
            lspState = .body(remaining: length)
        }
    }
}

private func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

private func lowercased(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var result = self
        while let first = result.first, set.contains(first) { result = result.dropFirst() }
        while let last = result.last, set.contains(last) { result = result.dropLast() }
        return result
    }
}

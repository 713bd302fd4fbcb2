/// How messages are delimited on stdin and stdout.
public enum Framing: String, Sendable, CaseIterable {
    /// One compact JSON text per line, `\n`-terminated (the default).
    case ndjson
    /// LSP base protocol: `Content-Length: N\r\n\r\n` then N bytes (LSP 3.17, "Base Protocol").
    case lsp

    /// Frames one encoded message for output, ready for a single write. Takes the payload over, so
    /// that NDJSON's newline is appended in place instead of to a copy of the message.
    public func frame(_ payload: consuming [UInt8]) -> [UInt8] {
        switch self {
        case .ndjson:
            var bytes = payload
            bytes.append(0x0A)
            return bytes
        case .lsp:
            var bytes = Array("Content-Length: \(payload.count)\r\n\r\n".utf8)
            bytes.reserveCapacity(bytes.count + payload.count)
            bytes.append(contentsOf: payload)
            return bytes
        }
    }
}

/// The framing requested on the command line: `auto` picks LSP when the stream starts with `Content-Length:`.
public enum FramingMode: String, Sendable, CaseIterable {
    case auto, ndjson, lsp
}

/// What the frame decoder found in the byte stream.
public enum FrameEvent: Sendable, Equatable {
    case message([UInt8])
    /// A message longer than the limit was dropped without being buffered whole (answer -32600, id null).
    case tooLarge
    /// LSP framing that could not be read (answer -32700, id null): headers without a valid
    /// Content-Length (the block was skipped), a header line that is not `Name: value` (the frame its
    /// Content-Length announces is still read), or input ending inside a frame.
    case invalidHeader(String)
}

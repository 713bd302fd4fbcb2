import Foundation

/// HTTP/1.1 message syntax for `SocketHTTPTransport` (RFC 9112), pure so every rule is unit-tested.
enum HTTP1 {
    /// Response heads are a few hundred bytes; more than this is not an HTTP server talking.
    static let maximumHeadBytes = 64 * 1024

    struct Head: Equatable {
        var version: String
        var status: Int
        var headers: HTTPHeaders

        /// How the body is delimited (RFC 9112 §6.3), for a response to a non-HEAD request.
        enum Framing: Equatable {
            case none
            case length(Int)
            case chunked
            case untilClose
        }

        var framing: Framing {
            if (100..<200).contains(status) || status == 204 || status == 304 { return .none }
            if let coding = headers["Transfer-Encoding"], coding.lowercased().contains("chunked") { return .chunked }
            if let length = headers["Content-Length"] {
                // Repeated identical values arrive joined ("5, 5"); differing ones are an error upstream.
                let values = Set(length.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                if values.count == 1, let value = Int(values.first!), value >= 0 { return .length(value) }
            }
            return .untilClose
        }

        /// Whether the connection may carry another request after this response.
        var keepsAlive: Bool {
            let connection = headers["Connection"]?.lowercased() ?? ""
            if connection.contains("close") { return false }
            return version == "HTTP/1.1" || connection.contains("keep-alive")
        }
    }

    /// The index just past the blank line that ends a head in `bytes[start...]`, or nil if incomplete.
    static func headEnd(in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 0x0A {
                if bytes[index + 1] == 0x0A { return index + 2 }
                if bytes[index + 1] == 0x0D, index + 2 < bytes.count, bytes[index + 2] == 0x0A { return index + 3 }
            }
            index += 1
        }
        return nil
    }

    /// Parses a response head (status line and fields) at the byte level: it runs once per call, and
    /// Character-level splitting and Foundation's trimming made it half of the bridge's instructions.
    static func parseHead(_ bytes: ArraySlice<UInt8>) -> Head? {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = bytes.startIndex
        for index in bytes.indices where bytes[index] == 0x0A {
            var end = index
            if end > lineStart && bytes[end - 1] == 0x0D { end -= 1 }
            if end > lineStart { lines.append(bytes[lineStart..<end]) }
            lineStart = index + 1
        }
        if lineStart < bytes.endIndex { lines.append(bytes[lineStart...]) }
        guard let statusLine = lines.first else { return nil }
        // "HTTP/1.x SSS reason"
        let parts = statusLine.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0].starts(with: "HTTP/1.".utf8), parts[1].count == 3,
            parts[1].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else { return nil }
        let status = parts[1].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            let name = trimmed(line[line.startIndex..<colon])
            guard !name.isEmpty else { return nil }
            headers.append(
                name: String(decoding: name, as: UTF8.self), value: String(decoding: trimmed(line[(colon + 1)...]), as: UTF8.self))
        }
        return Head(version: String(decoding: parts[0], as: UTF8.self), status: status, headers: headers)
    }

    /// The bytes without leading and trailing spaces and tabs.
    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return slice
    }

    /// Decodes `Transfer-Encoding: chunked` incrementally (RFC 9112 §7.1): feed bytes, collect the body.
    struct ChunkedDecoder {
        enum State: Equatable {
            case size
            case data(remaining: Int)
            case dataEnd
            case trailers
            case done
        }

        private(set) var state = State.size
        private var line: [UInt8] = []

        struct Malformed: Error {}

        /// Consumes bytes from `input[start...]`, appending body bytes to `body`; returns the index after
        /// the last byte consumed (the message may end before the input does).
        mutating func feed(_ input: [UInt8], from start: Int, into body: inout [UInt8]) throws(Malformed) -> Int {
            var index = start
            while index < input.count && state != .done {
                switch state {
                case .data(let remaining):
                    let taken = Swift.min(remaining, input.count - index)
                    body.append(contentsOf: input[index..<(index + taken)])
                    index += taken
                    state = remaining == taken ? .dataEnd : .data(remaining: remaining - taken)
                case .size, .dataEnd, .trailers:
                    let byte = input[index]
                    index += 1
                    guard byte == 0x0A else {
                        if byte != 0x0D { line.append(byte) }
                        guard line.count <= 4096 else { throw Malformed() }
                        continue
                    }
                    try endLine()
                case .done:
                    break
                }
            }
            return index
        }

        private mutating func endLine() throws(Malformed) {
            defer { line.removeAll(keepingCapacity: true) }
            switch state {
            case .size:
                let hex = String(decoding: line.prefix { $0 != UInt8(ascii: ";") }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                guard let size = Int(hex, radix: 16), size >= 0 else { throw Malformed() }
                state = size == 0 ? .trailers : .data(remaining: size)
            case .dataEnd:
                guard line.isEmpty else { throw Malformed() }
                state = .size
            case .trailers:
                if line.isEmpty { state = .done }
            case .data, .done:
                break
            }
        }
    }
}

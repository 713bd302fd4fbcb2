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

    /// Parses a response head (status line and fields, without the final blank line's bytes mattering).
    static func parseHead(_ bytes: ArraySlice<UInt8>) -> Head? {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }.makeIterator()
        guard let statusLine = lines.next() else { return nil }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]) else { return nil }
        var headers = HTTPHeaders()
        while let line = lines.next() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { return nil }
            headers.append(name: name, value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return Head(version: String(parts[0]), status: status, headers: headers)
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

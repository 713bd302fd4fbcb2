import JSON

/// Secrets an answer itself carries: an opaque token (not a JWT) in a 2xx the bridge rejects, a
/// `client_secret` in an error page, are not the call's, so they are found by the name they are under.
extension SecretRedactor {
    /// `text` with the string value of every member named for a password, token or secret
    /// (`isSecretName`) replaced by `[redacted]` (an empty one is kept), read the way JSON is written, so
    /// that it works on the start of a body too long to parse; a value the text cuts off is masked to its end.
    /// The values it masks whole are added to `values`, so that an echo of one elsewhere is found too.
    static func maskingSecretFields(in text: String, collecting values: inout [String]) -> String {
        let quote = UInt8(ascii: "\"")
        guard text.utf8.contains(quote) else { return text }
        let bytes = Array(text.utf8)
        func stringEnd(from start: Int) -> (end: Int, closed: Bool) {
            var index = start + 1
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "\\") {
                    index += 2
                } else if bytes[index] == quote {
                    return (index + 1, true)
                } else {
                    index += 1
                }
            }
            return (bytes.count, false)
        }
        func skippingSpace(from start: Int) -> Int {
            var index = start
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
            return index
        }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        var masked = false
        while index < bytes.count {
            guard bytes[index] == quote else {
                result.append(bytes[index])
                index += 1
                continue
            }
            let key = stringEnd(from: index)
            result += bytes[index..<key.end]
            let name = String(decoding: bytes[(index + 1)..<max(index + 1, key.end - 1)], as: UTF8.self)
            index = key.end
            var next = skippingSpace(from: index)
            guard key.closed, next < bytes.count, bytes[next] == UInt8(ascii: ":") else { continue }
            next = skippingSpace(from: next + 1)
            guard next < bytes.count, bytes[next] == quote, isSecretName(name) else { continue }
            let value = stringEnd(from: next)
            // An empty value hides nothing and says why an answer was refused.
            guard value.end > next + 2 || !value.closed else { continue }
            result += bytes[index..<next]
            result += Array("\"\(replacement)".utf8) + (value.closed ? [quote] : [])
            if value.closed, let string = (try? JSONParser.parse(Array(bytes[next..<value.end])))?.stringValue {
                values.append(string)
            }
            index = value.end
            masked = true
        }
        return masked ? String(decoding: result, as: UTF8.self) : text
    }
}

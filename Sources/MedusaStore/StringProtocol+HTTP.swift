/// The few text operations HTTP needs, on the standard library alone: the bridge imports
/// FoundationEssentials, not Foundation, so that a static build carries no ICU (34 MB of data).
extension StringProtocol {
    /// Spaces and tabs trimmed from both ends (RFC 9110 §5.6.3, optional whitespace).
    package func trimmingSpaces() -> String {
        let view = utf8
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        var start = view.startIndex
        while start != view.endIndex, isSpace(view[start]) { start = view.index(after: start) }
        var end = start
        var index = start
        while index != view.endIndex {
            let next = view.index(after: index)
            if !isSpace(view[index]) { end = next }
            index = next
        }
        return String(decoding: view[start..<end], as: UTF8.self)
    }

    /// Percent-encodes every UTF-8 byte except ASCII letters, digits and the characters of `kept`
    /// (RFC 3986 §2.1, upper-case hex).
    package func percentEncoded(keeping kept: String) -> String {
        let keptBytes = Set(kept.utf8)
        func isKept(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || keptBytes.contains(byte)
        }
        // Usually nothing needs encoding (an email address, a provider name).
        if utf8.allSatisfy(isKept) { return String(self) }
        var encoded = ""
        for byte in utf8 {
            let isAlphanumeric = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            if isAlphanumeric || keptBytes.contains(byte) {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = Array("0123456789ABCDEF".utf8)
                encoded += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return encoded
    }
}

/// The few text operations HTTP needs, on the standard library alone: the bridge imports
/// FoundationEssentials, not Foundation, so that a static build carries no ICU (34 MB of data).
extension StringProtocol {
    /// This URL text with the `user:password@` of its authority replaced by `mask` (`""` drops it), for
    /// messages that quote a URL: a base URL's or a proxy's credentials never reach stderr or an error.
    package func replacingURLCredentials(with mask: String) -> String {
        let authorityStart = firstRange(of: "://")?.upperBound ?? startIndex
        let authorityEnd = self[authorityStart...].firstIndex { "/?#".contains($0) } ?? endIndex
        guard let at = self[authorityStart..<authorityEnd].lastIndex(of: "@") else { return String(self) }
        return String(self[..<authorityStart]) + mask + self[index(after: at)...]
    }

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
        // Which bytes stay as they are, one bit each: no allocation, as this runs for every path
        // parameter of every call.
        var keptBits: (UInt64, UInt64) = (0x03FF_0000_0000_0000, 0x07FF_FFFE_07FF_FFFE)
        for byte in kept.utf8 {
            if byte < 64 { keptBits.0 |= 1 << UInt64(byte) } else if byte < 128 { keptBits.1 |= 1 << UInt64(byte - 64) }
        }
        let bits = keptBits
        func isKept(_ byte: UInt8) -> Bool {
            byte < 64 ? bits.0 & (1 << UInt64(byte)) != 0 : byte < 128 && bits.1 & (1 << UInt64(byte - 64)) != 0
        }
        // Usually nothing needs encoding (an email address, a provider name). Over the bytes in place
        // where the string has them (a native String does): iterating a UTF-8 view of a generic
        // `StringProtocol` by its indices costs about a hundred instructions a byte.
        if utf8.withContiguousStorageIfAvailable({ $0.allSatisfy(isKept) }) ?? utf8.allSatisfy(isKept) { return String(self) }
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(utf8.count * 3)
        for byte in utf8 {
            if isKept(byte) {
                encoded.append(byte)
            } else {
                encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}

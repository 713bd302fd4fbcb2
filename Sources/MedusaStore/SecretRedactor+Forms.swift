import JSON

/// The spellings a secret takes when something echoes it, so that each is replaced in place.
extension SecretRedactor {
    /// `secret` as sent; as the inside of a JSON string once and twice, as this bridge escapes it, with
    /// non-ASCII characters as `\u00e4` or `\u00E4` (Python's `json.dumps`, Flask), with `/` as `\/`
    /// (PHP), with `&`, `<` and `>` as `\u0026`, `\u003c`, `\u003e` (Go's `encoding/json`), and with
    /// every ASCII character but letters and digits as `\u00XX`; and percent-encoded, as
    /// `encodeURIComponent` and RFC 3986 do, either hex case, and as a form (`+` for a space).
    static func forms(of secret: String) -> [String] {
        func escaped(_ text: String) -> String { String(JSONValue.string(text).jsonText.dropFirst().dropLast()) }
        let plain = escaped(secret)
        var once = [
            plain, unicodeEscaped(plain, uppercase: false) { $0 >= 0x80 },
            unicodeEscaped(plain, uppercase: true) { $0 >= 0x80 },
            unicodeEscaped(plain, uppercase: false) { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E },
            unicodeEscaped(secret, uppercase: false) { !isAlphanumeric($0) },
            unicodeEscaped(secret, uppercase: true) { !isAlphanumeric($0) },
        ]
        once += once.map { $0.replacing("/", with: "\\/") }
        var all = Set([secret] + once + once.map(escaped))
        for kept in ["-_.!~*'()", "-_.~"] {
            let encoded = secret.percentEncoded(keeping: kept)
            all.insert(encoded)
            all.insert(lowercasingHex(encoded))
        }
        all.insert(secret.percentEncoded(keeping: "-_.* ").replacing(" ", with: "+"))
        return Array(all)
    }

    /// The texts `text` reads as once its JSON escapes (once and twice) and percent-encoding are
    /// undone: a secret found in one of them was echoed in a spelling `forms(of:)` does not list.
    static func decodedSpellings(of text: String) -> [String] {
        var decoded: [String] = []
        var current = text
        for _ in 0..<2 where current.contains("\\") {
            current = jsonUnescaped(current)
            decoded.append(current)
        }
        if current.contains("%") { decoded.append(percentDecoded(current)) }
        if text.contains("%") && current != text { decoded.append(percentDecoded(text)) }
        return decoded
    }

    private static func isAlphanumeric(_ unit: UInt16) -> Bool {
        (0x30...0x39).contains(unit) || (0x41...0x5A).contains(unit) || (0x61...0x7A).contains(unit)
    }

    /// `text` with the UTF-16 units `escape` selects written `\uXXXX`.
    private static func unicodeEscaped(_ text: String, uppercase: Bool, escape: (UInt16) -> Bool) -> String {
        var result = ""
        for unit in text.utf16 {
            if !escape(unit), let scalar = Unicode.Scalar(unit) {
                result.unicodeScalars.append(scalar)
            } else {
                let hex = String(unit, radix: 16, uppercase: uppercase)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return result
    }

    private static func lowercasingHex(_ encoded: String) -> String {
        var result = ""
        var hexLeft = 0
        for character in encoded {
            result.append(hexLeft > 0 ? Character(character.lowercased()) : character)
            hexLeft = character == "%" ? 2 : max(hexLeft - 1, 0)
        }
        return result
    }

    private static func hexValue(_ scalars: some Collection<Unicode.Scalar>) -> UInt32? {
        UInt32(String(String.UnicodeScalarView(scalars)), radix: 16)
    }

    /// `text` with JSON's backslash escapes undone (`\uXXXX`, surrogate pairs included); a lone
    /// surrogate becomes U+FFFD.
    private static func jsonUnescaped(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var result = String.UnicodeScalarView()
        var index = 0
        var pendingHigh: UInt32?
        while index < scalars.count {
            let scalar = scalars[index]
            guard scalar == "\\", index + 1 < scalars.count else {
                result.append(scalar)
                index += 1
                continue
            }
            let next = scalars[index + 1]
            if next == "u", index + 6 <= scalars.count, let unit = hexValue(scalars[(index + 2)..<(index + 6)]),
                scalars[(index + 2)..<(index + 6)].allSatisfy(\.properties.isASCIIHexDigit)
            {
                index += 6
                if (0xD800..<0xDC00).contains(unit) {
                    pendingHigh = unit
                    continue
                }
                if let high = pendingHigh, (0xDC00..<0xE000).contains(unit) {
                    result.append(Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00)) ?? "\u{FFFD}")
                } else {
                    result.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
                }
                pendingHigh = nil
                continue
            }
            let simple: [Unicode.Scalar: Unicode.Scalar] = ["n": "\n", "r": "\r", "t": "\t", "b": "\u{8}", "f": "\u{C}"]
            result.append(simple[next] ?? next)
            index += 2
        }
        return String(result)
    }

    /// `text` with every `%XX` turned back into its byte (invalid UTF-8 replaced).
    private static func percentDecoded(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count, let high = hex(bytes[index + 1]),
                let low = hex(bytes[index + 2])
            {
                result.append(high << 4 | low)
                index += 3
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}

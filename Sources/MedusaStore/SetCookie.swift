import FoundationEssentials

/// One `Set-Cookie` header, parsed per RFC 6265 §5.2 (the attributes the jar honours).
public struct SetCookie: Sendable, Equatable {
    public var name: String
    public var value: String
    public var path: String?
    public var domain: String?
    public var expires: Date?
    public var maxAge: Int?
    public var secure = false
    public var httpOnly = false

    /// Parses one header value; nil when it has no `name=` pair (RFC 6265 §5.2 step 2 ignores it), or
    /// when the name or value holds a control character (RFC 6265 §4.1.1 allows none, and one sent back
    /// in a `Cookie` header could split or forge a header line), or when name and value together are
    /// longer than 4096 bytes (RFC 6265bis §5.7 step 4 ignores such a cookie, as curl and browsers do).
    public init?(_ header: String) {
        let parts = header.split(separator: ";", omittingEmptySubsequences: false)
        guard let pair = parts.first, let equals = pair.firstIndex(of: "=") else { return nil }
        name = pair[..<equals].trimmingSpaces()
        value = pair[pair.index(after: equals)...].trimmingSpaces()
        guard !name.isEmpty, !Self.holdsControlCharacter(name), !Self.holdsControlCharacter(value),
            name.utf8.count + value.utf8.count <= Self.maximumNameAndValueBytes
        else { return nil }
        for attribute in parts.dropFirst() {
            let key: String
            let argument: String
            if let equals = attribute.firstIndex(of: "=") {
                key = attribute[..<equals].trimmingSpaces().lowercased()
                argument = attribute[attribute.index(after: equals)...].trimmingSpaces()
            } else {
                key = attribute.trimmingSpaces().lowercased()
                argument = ""
            }
            switch key {
            case "path": path = argument.hasPrefix("/") ? argument : nil
            case "domain": domain = argument.isEmpty ? nil : argument.lowercased().trimmingPrefix(".")
            case "expires": expires = HTTPDate.parse(argument) ?? expires
            case "max-age": maxAge = Int(argument) ?? maxAge
            case "secure": secure = true
            case "httponly": httpOnly = true
            default: break
            }
        }
    }
}

extension SetCookie {
    static let maximumNameAndValueBytes = 4096

    /// C0 controls and DEL (RFC 5234 CTL).
    static func holdsControlCharacter(_ text: String) -> Bool {
        text.utf8.contains { $0 < 0x20 || $0 == 0x7F }
    }
}

extension String {
    func trimmingPrefix(_ prefix: Character) -> String { first == prefix ? String(dropFirst()) : self }
}

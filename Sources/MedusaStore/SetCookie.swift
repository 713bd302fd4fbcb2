import Foundation

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

    /// Parses one header value; nil when it has no `name=` pair (RFC 6265 §5.2 step 2 ignores it).
    public init?(_ header: String) {
        let parts = header.split(separator: ";", omittingEmptySubsequences: false)
        guard let pair = parts.first, let equals = pair.firstIndex(of: "=") else { return nil }
        name = pair[..<equals].trimmingSpaces()
        value = pair[pair.index(after: equals)...].trimmingSpaces()
        guard !name.isEmpty else { return nil }
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

    /// Splits a header value that URLSession on Linux joined from several `Set-Cookie` fields with ", ".
    ///
    /// Never split on every comma: `Expires=Thu, 01 Jan ...` holds one. A comma starts a new cookie
    /// only when what follows looks like `name=` (a token without spaces before `=`).
    public static func split(joined: String) -> [String] {
        var cookies: [String] = []
        var current = ""
        let characters = Array(joined)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == ",", startsCookie(characters, at: index + 1) {
                cookies.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
            index += 1
        }
        if !current.trimmingCharacters(in: .whitespaces).isEmpty { cookies.append(current.trimmingCharacters(in: .whitespaces)) }
        return cookies
    }

    private static func startsCookie(_ characters: [Character], at start: Int) -> Bool {
        var index = start
        while index < characters.count, characters[index] == " " { index += 1 }
        let nameStart = index
        while index < characters.count, !"=;, \t".contains(characters[index]) { index += 1 }
        return index > nameStart && index < characters.count && characters[index] == "="
    }
}

extension Substring {
    func trimmingSpaces() -> String { trimmingCharacters(in: .whitespaces) }
}

extension String {
    func trimmingPrefix(_ prefix: Character) -> String { first == prefix ? String(dropFirst()) : self }
}

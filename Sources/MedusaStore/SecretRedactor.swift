import JSON

/// Removes a call's secrets from text that goes into an error's `data`: Medusa's error pages and
/// misshapen answers can echo the request (its token, cookies, password, publishable key) or carry a
/// fresh token or cookie, and error data reaches logs and users' screens.
///
/// What counts as a secret of the call: the `Authorization` credentials and every cookie value sent,
/// the `x-publishable-api-key`, every string of the JSON body under a key naming a password, token or
/// secret, every cookie value the answer set, and anything shaped like a JWT. Each is looked for as it
/// was sent and as JSON writes it inside a string, once and twice: a password holding `"` or `\` goes
/// out escaped in the JSON body, and an error page quoting that body in its own JSON escapes it again.
/// A password (or other secret field of the body) shorter than `minimumLength` cannot be replaced
/// without garbling the text (every `ab`), so a text that holds one is withheld whole; cookies and
/// keys that short are no credentials and are not looked for.
///
/// Built for every answer but used only when an error is, so it keeps the call and gathers the secrets
/// when asked.
public struct SecretRedactor: Sendable, Equatable {
    public static let replacement = "[redacted]"
    /// What stands for a whole text that holds a secret shorter than `minimumLength`.
    public static let withheld = "[redacted: the text held a secret of the call]"
    static let minimumLength = 4
    private var request: HTTPRequest?
    private var setCookieValues: [String] = []

    public init() {}

    init(request: HTTPRequest, setCookies: [SetCookie]) {
        self.request = request
        setCookieValues = setCookies.map(\.value)
    }

    /// The call's secrets, as sent.
    var secrets: Set<String> {
        var found = setCookieValues
        if let request {
            if let authorization = request.headers["Authorization"] {
                found.append(authorization)
                if let space = authorization.firstIndex(of: " ") {
                    found.append(String(authorization[authorization.index(after: space)...]))
                }
            }
            if let cookie = request.headers["Cookie"] {
                for pair in cookie.split(separator: ";") {
                    if let equals = pair.firstIndex(of: "=") { found.append(String(pair[pair.index(after: equals)...])) }
                }
            }
            if let key = request.headers["x-publishable-api-key"] { found.append(key) }
        }
        // A cookie or key that short is no credential (a locale, a flag): it is not looked for.
        found.removeAll { $0.utf8.count < Self.minimumLength }
        if let body = request?.body, let json = try? JSONParser.parse(body) { Self.collectSecretFields(json, into: &found) }
        return Set(found.filter { !$0.isEmpty })
    }

    /// `text` with every secret, and every JWT-shaped word, replaced by `[redacted]`; `withheld` when it
    /// holds a secret too short to replace.
    public func redact(_ text: String) -> String {
        let forms = Set(secrets.flatMap(Self.forms(of:)))
        if forms.contains(where: { $0.utf8.count < Self.minimumLength && text.contains($0) }) { return Self.withheld }
        var result = text
        // Longest first, so that a secret containing another is replaced whole.
        for form in forms.sorted(by: { $0.utf8.count > $1.utf8.count }) where result.contains(form) {
            result = result.replacing(form, with: Self.replacement)
        }
        return Self.redactJWTs(result)
    }

    /// `secret` as sent, and as the inside of a JSON string once and twice: as this bridge escapes it,
    /// with non-ASCII characters as `\u00e4` or `\u00E4` (Python's `json.dumps`, Flask), and with `/` as
    /// `\/` (PHP).
    static func forms(of secret: String) -> [String] {
        func escaped(_ text: String) -> String { String(JSONValue.string(text).jsonText.dropFirst().dropLast()) }
        func asciiOnly(_ text: String, uppercase: Bool) -> String {
            var result = ""
            for unit in text.utf16 {
                if unit < 0x80, let scalar = Unicode.Scalar(unit) {
                    result.unicodeScalars.append(scalar)
                } else {
                    let hex = String(unit, radix: 16, uppercase: uppercase)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            }
            return result
        }
        var once = [escaped(secret), asciiOnly(escaped(secret), uppercase: false), asciiOnly(escaped(secret), uppercase: true)]
        once += once.map { $0.replacing("/", with: "\\/") }
        return Array(Set([secret] + once + once.map(escaped)))
    }

    private static func collectSecretFields(_ value: JSONValue, into found: inout [String]) {
        guard let object = value.objectValue else { return }
        for (key, member) in object {
            let name = key.lowercased()
            if let text = member.stringValue, ["password", "token", "secret"].contains(where: name.contains) {
                found.append(text)
            } else {
                collectSecretFields(member, into: &found)
            }
        }
    }

    /// A JWT is three base64url parts joined by dots whose first part is a JSON object (`eyJ`).
    private static func redactJWTs(_ text: String) -> String {
        guard text.contains("eyJ") else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = rest.firstRange(of: "eyJ") {
            result += rest[..<start.lowerBound]
            var end = start.lowerBound
            var dots = 0
            while end < rest.endIndex, isBase64URL(rest[end]) || (rest[end] == "." && dots < 2) {
                if rest[end] == "." { dots += 1 }
                end = rest.index(after: end)
            }
            result += dots == 2 ? replacement : String(rest[start.lowerBound..<end])
            rest = rest[end...]
        }
        return result + rest
    }

    private static func isBase64URL(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == "_")
    }
}

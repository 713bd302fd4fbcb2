import JSON

/// Removes a call's secrets from text that goes into an error's `data`: Medusa's error pages and
/// misshapen answers can echo the request (its token, cookies, password, publishable key) or carry a
/// fresh token or cookie, and error data reaches logs and users' screens.
///
/// What counts as a secret of the call: the `Authorization` credentials and every cookie value sent,
/// the `x-publishable-api-key`, every string of the JSON body under a key naming a password, token or
/// secret, every cookie value the answer set, every value the caller supplied as a header (`--header`,
/// `customHeaders`) or as an OAuth callback's query, the proxy's credentials, and anything shaped like
/// a JWT. Each is looked for in every spelling an echo gives it (`SecretRedactor+Forms.swift`): as
/// sent, JSON-escaped once and twice, and percent-encoded; a text that still holds one once those
/// spellings are decoded is withheld whole.
///
/// Short values: a password (or other secret field of the body) shorter than `minimumLength` cannot be
/// replaced without garbling the text (every `ab`), so a text that holds one is withheld whole; cookies
/// and keys that short are no credentials and are not looked for. A value the caller supplied follows
/// the cookies' rule, with a longer minimum (`minimumSuppliedLength`) unless its name says it is a
/// credential: a header such as `X-Channel: mobile` or a query `lang=en` would otherwise blank every
/// `mobile` and `en` of an error message.
///
/// Built for every answer but used only when an error is, so it keeps the call and gathers the secrets
/// when asked.
public struct SecretRedactor: Sendable, Equatable {
    public static let replacement = "[redacted]"
    /// What stands for a whole text that holds a secret shorter than `minimumLength`, or a secret in a
    /// spelling not replaced in place.
    public static let withheld = "[redacted: the text held a secret of the call]"
    static let minimumLength = 4
    /// The shortest supplied value under a name that does not say it is a credential that is looked for.
    static let minimumSuppliedLength = 8
    /// Every answer carries one, copied with it along the path of a call, so it holds as few references
    /// as it can: the request (whose headers include every `--header` and `customHeaders` value, and
    /// whose URL holds the query) and what the answer set; the rest is worked out when an error asks.
    private var request: HTTPRequest?
    private var setCookieValues: [String] = []
    /// Values the configuration marks secret (the proxy's credentials).
    private var configuredSecrets: [String] = []
    /// Whether the values of the request's query are secrets (an OAuth callback's code and state).
    private var queryIsSecret = false

    public init() {}

    init(request: HTTPRequest, setCookies: [SetCookie], configuredSecrets: [String] = [], queryIsSecret: Bool = false) {
        self.request = request
        setCookieValues = setCookies.map(\.value)
        self.configuredSecrets = configuredSecrets
        self.queryIsSecret = queryIsSecret
    }

    /// The call's secrets, as sent.
    var secrets: Set<String> {
        var found = setCookieValues + configuredSecrets
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
        if let request {
            // The configured and the call's own headers, with the few the bridge writes itself.
            for field in request.headers where !Self.isBridgesOwn(field.name) { Self.appendSupplied(field, to: &found) }
            if queryIsSecret, let query = request.parsedURL?.query(percentEncoded: false) {
                for item in query.split(separator: "&") {
                    let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    Self.appendSupplied((String(pair[0]), pair.count > 1 ? String(pair[1]) : ""), to: &found)
                }
            }
        }
        if let body = request?.body, let json = try? JSONParser.parse(body) { Self.collectSecretFields(json, into: &found) }
        return Set(found.filter { !$0.isEmpty })
    }

    /// `text` with every secret, and every JWT-shaped word, replaced by `[redacted]`; `withheld` when it
    /// holds a secret too short to replace, or one in a spelling only decoding reveals.
    public func redact(_ text: String) -> String {
        redact(text, also: [])
    }

    /// `redact(_:)` with `extra` secrets besides the call's (the secret fields of the answer itself).
    func redact(_ text: String, also extra: [String]) -> String {
        let secrets = secrets.union(extra.filter { !$0.isEmpty })
        guard !secrets.isEmpty else { return Self.redactJWTs(text) }
        let forms = Set(secrets.flatMap(Self.forms(of:)))
        if forms.contains(where: { $0.utf8.count < Self.minimumLength && text.contains($0) }) { return Self.withheld }
        var result = text
        // Longest first, so that a secret containing another is replaced whole.
        for form in forms.sorted(by: { $0.utf8.count > $1.utf8.count }) where result.contains(form) {
            result = result.replacing(form, with: Self.replacement)
        }
        // Any other mix of spellings (a JSON writer escaping some punctuation, then percent-encoding).
        if Self.decodedSpellings(of: result).contains(where: { decoded in secrets.contains(where: decoded.contains) }) {
            return Self.withheld
        }
        return Self.redactJWTs(result)
    }

    /// The longest spelling of any secret, in UTF-8 bytes: a text cut anywhere may end with at most
    /// this many bytes minus one of a secret that was not recognised.
    func longestForm(also extra: [String]) -> Int {
        secrets.union(extra).flatMap(Self.forms(of:)).map(\.utf8.count).max() ?? 0
    }

    /// Fields the bridge writes itself, whose values are no secret: those that describe the content (e.g.
    /// `Accept: text/plain`), not looked for so that an error naming a media type keeps it, and its
    /// `User-Agent`.
    private static func isBridgesOwn(_ name: String) -> Bool {
        ["accept", "content-type", "user-agent"].contains(name.lowercased())
    }

    private static func appendSupplied(_ pair: (name: String, value: String), to found: inout [String]) {
        let name = pair.name.lowercased()
        let credential = ["auth", "key", "token", "secret", "password", "cookie", "session", "code", "state", "signature", "credential"]
            .contains(where: name.contains)
        if pair.value.utf8.count >= (credential ? minimumLength : minimumSuppliedLength) { found.append(pair.value) }
    }

    static func collectSecretFields(_ value: JSONValue, into found: inout [String]) {
        if let elements = value.arrayValue {
            for element in elements { collectSecretFields(element, into: &found) }
            return
        }
        guard let object = value.objectValue else { return }
        for (key, member) in object {
            if let text = member.stringValue, isSecretName(key) {
                found.append(text)
            } else {
                collectSecretFields(member, into: &found)
            }
        }
    }

    /// A member name naming a password, token or secret (`access_token`, `refreshToken`, `client_secret`).
    static func isSecretName(_ key: some StringProtocol) -> Bool {
        let name = key.lowercased()
        return ["password", "token", "secret"].contains(where: name.contains)
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

    static func isBase64URL(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == "_")
    }
}

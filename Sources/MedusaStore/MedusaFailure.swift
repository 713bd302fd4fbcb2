import JSON

/// Why a Medusa call failed. The bridge turns each case into one JSON-RPC error, in one place.
public enum MedusaFailure: Error, Sendable, Equatable {
    /// Medusa answered non-2xx (-32001).
    case status(MedusaHTTPError)
    /// No answer after every attempt (-32002).
    case unreachable(reason: String, attempts: Int, detail: String)
    /// A 2xx whose body is not the JSON expected, or longer than the cap (-32003).
    case badResponse(status: Int, body: String)
    /// A 2xx whose body went past the bytes the bridge reads (`maximumBodyBytes`) and was cut off
    /// (-32003 too); `body` is its start, as for `badResponse`.
    case oversizedBody(status: Int, body: String, limit: Int)
    /// An answer that broke HTTP's framing (-32003); `detail` names what was wrong.
    case malformedResponse(detail: String)
    /// Session mode: `POST /auth/session` answered 2xx, but left the session no cookie it can send
    /// back (-32003), so every later call would be answered 401. `overHTTP`: the base URL is plain
    /// http, where Medusa in production (`NODE_ENV=production`) sets no cookie, or a `Secure` one a
    /// client never sends back (medusa#14550); otherwise the cookie went missing on the way (a proxy).
    case noSessionCookie(status: Int, overHTTP: Bool)
    /// Session mode: Medusa issued the token, but `POST /auth/session`, which exchanges it for the
    /// session's cookie, failed with `failure` (never `.cancelled`, which stays itself). The error
    /// says so (`data.step` "session"), so a caller can tell it from a refused password.
    indirect case sessionExchange(MedusaFailure)
    /// The caller abandoned the call (-32800).
    case cancelled
}

/// A non-2xx answer, read the way Medusa writes errors (medusajs/medusa v1 packages/medusa/src/api/middlewares/error-handler.ts).
public struct MedusaHTTPError: Sendable, Equatable {
    public var status: Int
    /// Medusa's JSON error fields, when the body is `{type, message[, code]}`.
    public var type: String?
    public var message: String?
    public var code: String?
    /// The body text otherwise (e.g. `Unauthorized`), truncated.
    public var body: String?
    /// The Medusa major version the backend looks like when the answer says the route called does not
    /// exist there (see `MedusaHTTPError+Diagnosis.swift`).
    public var backendLooksLike: Int?
    /// A redirect's `Location` (3xx), which the bridge never follows: a store that moved (to https, to
    /// another host) says where here.
    public var location: String?

    /// The longest body text an error carries; Medusa's texts are a few words, HTML pages are not.
    public static let maximumBodyCharacters = 1024

    /// - Parameter redactor: the call's secrets, which an error page may echo; removed from every text.
    public init(status: Int, body: [UInt8], redactor: SecretRedactor = SecretRedactor()) {
        self.status = status
        if let object = try? JSONParser.parse(body).objectValue, let type = object["type"]?.stringValue,
            let message = object["message"]?.stringValue
        {
            // Every field a backend fills may echo the request, not only its message.
            self.type = redactor.redact(type)
            self.message = redactor.redact(message)
            self.code = object["code"]?.stringValue.map(redactor.redact)
        } else {
            self.body = truncatedText(body, limit: Self.maximumBodyCharacters, redactor: redactor)
        }
    }
}

/// The body as text for an error's `data.body`: the string values of its password, token and secret
/// members masked, the call's secrets removed, then cut to `limit` Unicode scalars (invalid UTF-8
/// replaced). Only the first `limit * 4 + 4096` bytes can appear, and all of them are redacted before
/// the cut. The secret members whose values are also looked for elsewhere are those of that part only
/// (of the whole body when it is no longer), so that a long body of many costs no more than a short
/// one. When the body goes on past that part, a secret or JWT it ends inside of is not recognised, so
/// its last bytes that could hold part of one are dropped too. Scalars, not `Character`s: a grapheme
/// cluster (a letter and thousands of combining marks) has no bound in bytes.
func truncatedText(_ body: [UInt8], limit: Int, redactor: SecretRedactor) -> String {
    let window = limit * 4 + 4096
    var fields: [String] = []
    if body.count <= window, let json = try? JSONParser.parse(body) { SecretRedactor.collectSecretFields(json, into: &fields) }
    let start = SecretRedactor.maskingSecretFields(in: String(decoding: body.prefix(window), as: UTF8.self), collecting: &fields)
    let text = redactor.redact(start, also: fields)
    if text == SecretRedactor.withheld { return text }
    var scalars = Substring(text).unicodeScalars
    var isCut = false
    if body.count > window {
        isCut = true
        var dropped = 0
        let unsafe = max(redactor.longestForm(also: fields) - 1, 0)
        while dropped < unsafe, let last = scalars.last {
            dropped += UTF8.width(last)
            scalars.removeLast()
        }
        // A JWT the cut ends inside of: from its `eyJ` on, in the word the text ends with.
        var word = scalars.endIndex
        while word > scalars.startIndex, case let previous = scalars[scalars.index(before: word)],
            previous.isASCII, SecretRedactor.isBase64URL(Character(previous)) || previous == "."
        {
            word = scalars.index(before: word)
        }
        if let jwt = Substring(scalars[word...]).firstRange(of: "eyJ") { scalars = scalars[..<jwt.lowerBound] }
    }
    if scalars.count > limit {
        scalars = scalars.prefix(limit)
        isCut = true
    }
    return String(String.UnicodeScalarView(scalars)) + (isCut ? "…" : "")
}

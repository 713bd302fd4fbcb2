import JSON

/// Why a Medusa call failed. The bridge turns each case into one JSON-RPC error, in one place.
public enum MedusaFailure: Error, Sendable, Equatable {
    /// Medusa answered non-2xx (-32001).
    case status(MedusaHTTPError)
    /// No answer after every attempt (-32002).
    case unreachable(reason: String, attempts: Int, detail: String)
    /// A 2xx whose body is not the JSON expected, or longer than the cap (-32003).
    case badResponse(status: Int, body: String)
    /// The caller abandoned the call (-32800).
    case cancelled
}

/// A non-2xx answer, read the way Medusa writes errors (medusa-store-auth.md §1.3).
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

    /// The longest body text an error carries; Medusa's texts are a few words, HTML pages are not.
    public static let maximumBodyCharacters = 1024

    public init(status: Int, body: [UInt8]) {
        self.status = status
        if let object = try? JSONParser.parse(body).objectValue, let type = object["type"]?.stringValue,
            let message = object["message"]?.stringValue
        {
            self.type = type
            self.message = message
            self.code = object["code"]?.stringValue
        } else {
            self.body = truncatedText(body, limit: Self.maximumBodyCharacters)
        }
    }
}

/// The body as text for an error's `data.body`, cut to `limit` characters (invalid UTF-8 replaced).
func truncatedText(_ body: [UInt8], limit: Int) -> String {
    let text = String(decoding: body.prefix(limit * 4), as: UTF8.self)
    return text.count > limit ? String(text.prefix(limit)) + "…" : text
}

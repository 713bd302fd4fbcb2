import JSON

/// Masks credentials in messages before they are logged (issue 2: "`--log-level trace` logs every
/// message with those values redacted").
public enum Redaction {
    /// Member names whose values are secrets wherever they appear, compared case-insensitively.
    static let secretKeys: Set<String> = [
        "password", "access_token", "token", "authorization", "cookie", "set-cookie", "x-publishable-api-key",
        "publishableapikey", "publishable_api_key",
    ]
    /// Members whose whole content is redacted: custom headers may carry any credential, and an OAuth
    /// callback's `query` carries the provider's authorization code.
    static let opaqueKeys: Set<String> = ["customheaders", "headers", "query"]
    public static let mask: JSONValue = "[redacted]"

    public static func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements):
            return .array(elements.map(redact))
        case .object(let object):
            var redacted = JSONObject()
            for (key, member) in object {
                let lower = key.lowercased()
                if secretKeys.contains(lower) {
                    redacted.append(key, mask)
                } else if opaqueKeys.contains(lower), case .object(let headers) = member {
                    redacted.append(key, .object(JSONObject(headers.map { (key: $0.key, value: mask) })))
                } else {
                    redacted.append(key, redact(member))
                }
            }
            return .object(redacted)
        default:
            return value
        }
    }

    /// A frame for the trace log: redacted JSON, or a note of its size when it is not JSON (raw bytes
    /// that failed to parse could hold anything).
    public static func describe(_ frame: [UInt8]) -> String {
        guard let value = try? JSONParser.parse(frame) else { return "<\(frame.count) bytes, not JSON>" }
        return redact(value).jsonText
    }
}

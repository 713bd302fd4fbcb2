import JSON

/// The `error` member of a JSON-RPC response: every failure becomes one of these in exactly one place.
public struct ResponseError: Error, Sendable, Equatable {
    public var code: ErrorCode
    public var message: String
    public var data: JSONValue?

    public init(code: ErrorCode, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public static func parseError(_ detail: String) -> ResponseError {
        ResponseError(code: .parseError, message: "Parse error: \(detail)")
    }

    public static func invalidRequest(_ detail: String) -> ResponseError {
        ResponseError(code: .invalidRequest, message: "Invalid Request: \(detail)")
    }

    public static func methodNotFound(_ method: String) -> ResponseError {
        ResponseError(code: .methodNotFound, message: "Method not found: \(method)")
    }

    /// Invalid params; the message and `data.field` name the offending field, never its value.
    public static func invalidParams(_ detail: String, field: String? = nil) -> ResponseError {
        ResponseError(
            code: .invalidParams, message: "Invalid params: \(detail)",
            data: field.map { .object(JSONObject([(key: "field", value: .string($0))])) })
    }

    public static func internalError(_ detail: String) -> ResponseError {
        ResponseError(code: .internalError, message: "Internal error: \(detail)")
    }

    public static let requestCancelled = ResponseError(code: .requestCancelled, message: "Request cancelled")

    public var jsonValue: JSONValue {
        var object = JSONObject([(key: "code", value: .number(JSONNumber(code.rawValue))), (key: "message", value: .string(message))])
        if let data { object.append("data", data) }
        return .object(object)
    }
}

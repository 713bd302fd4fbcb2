import JSON

/// A JSON-RPC request id, echoed with its original type: `"1"` and `1` are different ids.
public enum RequestID: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case number(JSONNumber)
    /// `"id": null` (a request, unlike a missing id), and the id of answers whose id could not be read.
    case null

    public var jsonValue: JSONValue {
        switch self {
        case .string(let value): .string(value)
        case .number(let value): .number(value)
        case .null: .null
        }
    }

    /// The id a JSON value denotes, or nil when it is not a string, number or null (JSON-RPC 2.0 §4).
    public init?(_ value: JSONValue) {
        switch value {
        case .string(let string): self = .string(string)
        case .number(let number): self = .number(number)
        case .null: self = .null
        default: return nil
        }
    }

    public var description: String { jsonValue.jsonText }
}

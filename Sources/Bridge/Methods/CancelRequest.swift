import JSON
import JSONRPC

/// `$/cancelRequest` (LSP 3.17 "Cancellation Support"): the dispatcher abandons the named request,
/// which is then answered -32800. Sent as a notification; sent as a request it is answered `{}`.
struct CancelRequest: ImmediateMethod {
    static let name = "$/cancelRequest"
    let target: RequestID

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(params, names: ["id"], positions: nil)
        guard let value = reader.value("id") else { throw .invalidParams("missing required param 'id'", field: "id") }
        switch value {
        case .string(let text): target = .string(text)
        case .number(let number) where Self.isInteger(number): target = .number(number)
        case .number:
            throw .invalidParams("'id' must be a string or an integer, not a number with a fraction", field: "id")
        default:
            throw .invalidParams("'id' must be a string or an integer, not \(value.typeName)", field: "id")
        }
    }

    /// Whether a number is an integer in value, as JSON Schema's `integer` reads it (`7`, `7.0`,
    /// `7e2`, `700e-2`; not `7.5`), from its literal, so that ids of any length are judged exactly.
    /// LSP types a cancelled request's id as `integer | string`, and JSON-RPC 2.0 §4 says ids should
    /// have no fractional part; a fraction is most likely a client's arithmetic gone wrong.
    static func isInteger(_ number: JSONNumber) -> Bool {
        var text = Substring(number.literal)
        if text.first == "-" { text = text.dropFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            let power = text[text.index(after: e)...]
            // An exponent past half of Int's range moves the point beyond every digit, one way or the
            // other; clamped there, adding the digits' count cannot overflow.
            let limit = Int.max / 2
            exponent = max(-limit, min(limit, Int(power) ?? (power.first == "-" ? -limit : limit)))
            text = text[..<e]
        }
        let whole = text.prefix { $0 != "." }
        let digits = whole + text.dropFirst(whole.count + 1)
        let point = whole.count + exponent
        return digits.dropFirst(max(0, min(point, digits.count))).allSatisfy { $0 == "0" }
    }

    /// The cancellation itself happens in the dispatcher, which owns the table of running requests.
    func respond(in context: MethodContext) throws(ResponseError) -> JSONValue { .emptyObject }
}

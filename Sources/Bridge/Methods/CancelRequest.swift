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
        guard let id = RequestID(value), id != .null else {
            throw .invalidParams("'id' must be a string or a number", field: "id")
        }
        target = id
    }

    /// The cancellation itself happens in the dispatcher, which owns the table of running requests.
    func respond(in context: MethodContext) throws(ResponseError) -> JSONValue { .emptyObject }
}

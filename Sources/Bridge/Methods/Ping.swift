import JSON
import JSONRPC

/// `ping`: answers `{}`.
struct Ping: ImmediateMethod {
    static let name = "ping"

    init(params: Params?) throws(ResponseError) {
        _ = try ParamReader(params, names: [], positions: [])
    }

    func respond(in context: MethodContext) throws(ResponseError) -> JSONValue { .emptyObject }
}

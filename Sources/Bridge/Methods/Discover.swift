import JSON
import JSONRPC

/// `rpc.discover` (OpenRPC "Service Discovery Method"): the embedded `schema/openrpc.json`.
struct Discover: ImmediateMethod {
    static let name = "rpc.discover"

    init(params: Params?) throws(ResponseError) {
        _ = try ParamReader(params, names: [], positions: [])
    }

    func respond(in context: MethodContext) throws(ResponseError) -> JSONValue {
        guard let document = OpenRPCDocument.value else { throw .internalError("the embedded OpenRPC document is not JSON") }
        return document
    }
}

import JSON
import JSONRPC

/// `session.list`: every session with whether it holds a cookie and a token, never their values.
struct SessionList: ImmediateMethod {
    static let name = "session.list"

    init(params: Params?) throws(ResponseError) {
        _ = try ParamReader(params, names: [], positions: nil)
    }

    func respond(in context: MethodContext) throws(ResponseError) -> JSONValue {
        let sessions = context.medusa.sessions.summaries().map { summary -> JSONValue in
            .object(
                JSONObject([
                    (key: "name", value: .string(summary.name)),
                    (key: "hasCookie", value: .bool(summary.hasCookie)),
                    (key: "hasToken", value: .bool(summary.hasToken)),
                    (key: "customerId", value: summary.customerID.map(JSONValue.string) ?? .null),
                ]))
        }
        return .object(JSONObject([(key: "sessions", value: .array(sessions))]))
    }
}

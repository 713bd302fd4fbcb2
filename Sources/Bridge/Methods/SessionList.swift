import JSON
import JSONRPC
import MedusaStore

/// `session.list`: every session with whether it holds a cookie and a token, never their values.
///
/// Ordered like a call that reads every session: each session is summarised once the state changes
/// read before the list have finished in that session, and before any read after it starts there
/// (`RequestPathState.registerListing`). The dispatcher answers it from those summaries, without a
/// task; `run` serves only a caller outside the request path.
struct SessionList: BridgeMethod {
    static let name = "session.list"

    init(params: Params?) throws(ResponseError) {
        _ = try ParamReader(params, names: [], positions: nil)
    }

    var sessionUse: SessionUse? { nil }

    func run(in context: MethodContext) async throws -> JSONValue { Self.result(context.medusa.sessions.summaries()) }

    /// The answer for `summaries`, in name order.
    static func result(_ summaries: [SessionSummary]) -> JSONValue {
        let sessions = summaries.sorted { $0.name < $1.name }.map { summary -> JSONValue in
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

import JSON
import JSONRPC

/// `session.clear`: forgets a session's cookies and token, ordered like a logout within its session.
struct SessionClear: BridgeMethod {
    static let name = "session.clear"
    let session: String

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(params, names: ["session"], positions: nil)
        session = try reader.string("session")
        guard !session.isEmpty else { throw .invalidParams("'session' must not be empty", field: "session") }
    }

    var sessionUse: SessionUse? { SessionUse(session: session, exclusive: true) }

    func run(in context: MethodContext) async throws -> JSONValue {
        context.medusa.sessions.remove(session)
        return .emptyObject
    }
}

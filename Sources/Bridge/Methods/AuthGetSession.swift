import JSON
import JSONRPC
import MedusaStore

/// `auth.getSession`: medusa-js `auth.getSession(customHeaders)`, `GET /store/auth`.
struct AuthGetSession: BridgeMethod {
    static let name = "auth.getSession"
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(params, names: ["customHeaders", "session"], positions: [.value("customHeaders")])
        options = try reader.callOptions()
    }

    var sessionUse: SessionUse? { SessionUse(session: options.session, exclusive: false) }

    func run(in context: MethodContext) async throws -> JSONValue {
        try await context.medusa.getSession(options: options)
    }

    func start(
        in context: MethodContext, completion: @escaping @Sendable (Result<JSONValue, ResponseError>) -> Void
    ) -> (@Sendable () -> Void)? {
        context.medusa.startGetSession(options: options) { completion($0.mapError { ResponseError($0) }) }
    }
}

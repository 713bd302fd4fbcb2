import JSON
import JSONRPC
import MedusaStore

/// `auth.refresh` (Medusa v2): js-sdk `auth.refresh()`, `POST /auth/token/refresh` with the session's
/// token, which the new one replaces.
struct AuthRefresh: BridgeMethod {
    static let name = "auth.refresh"
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(params, names: ["customHeaders", "session"], positions: nil)
        options = try reader.callOptions()
    }

    var sessionUse: SessionUse? { SessionUse(session: options.session, exclusive: true) }

    func run(in context: MethodContext) async throws -> JSONValue {
        try await context.medusa.refresh(options: options)
    }
}

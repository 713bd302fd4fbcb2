import JSON
import JSONRPC
import MedusaStore

/// `auth.exists`: medusa-js `auth.exists(email, customHeaders)`, `GET /store/auth/{email}`.
struct AuthExists: BridgeMethod {
    static let name = "auth.exists"
    let email: String
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(
            params, names: ["email", "customHeaders", "session"], positions: [.value("email"), .value("customHeaders")])
        email = try reader.string("email")
        options = try reader.callOptions()
    }

    var sessionUse: SessionUse? { SessionUse(session: options.session, exclusive: false) }

    func run(in context: MethodContext) async throws -> JSONValue {
        try await context.medusa.exists(email: email, options: options)
    }
}

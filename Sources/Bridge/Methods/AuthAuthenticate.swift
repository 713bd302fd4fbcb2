import JSON
import JSONRPC
import MedusaStore

/// `auth.authenticate`: medusa-js `auth.authenticate(payload, customHeaders)`, `POST /store/auth`.
struct AuthAuthenticate: BridgeMethod {
    static let name = "auth.authenticate"
    let credentials: Credentials

    init(params: Params?) throws(ResponseError) { credentials = try Credentials(params: params) }

    var sessionUse: SessionUse? { credentials.sessionUse }

    func run(in context: MethodContext) async throws -> JSONValue {
        try await context.medusa.authenticate(email: credentials.email, password: credentials.password, options: credentials.options)
    }
}

import JSON
import JSONRPC
import MedusaStore

/// `auth.authenticate`: medusa-js `auth.authenticate(payload, customHeaders)`, `POST /store/auth`.
struct AuthAuthenticate: ExchangeMethod {
    static let name = "auth.authenticate"
    let credentials: Credentials

    init(params: Params?) throws(ResponseError) { credentials = try Credentials(params: params) }

    var sessionUse: SessionUse? { credentials.sessionUse }

    func exchange(in context: MethodContext) -> MedusaClient.Exchange<JSONValue> {
        context.medusa.authenticateExchange(email: credentials.email, password: credentials.password, options: credentials.options)
    }
}

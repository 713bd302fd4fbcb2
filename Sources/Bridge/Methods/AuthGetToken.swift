import JSON
import JSONRPC
import MedusaStore

/// `auth.getToken`: medusa-js `auth.getToken(payload, customHeaders)`, `POST /store/auth/token`; the
/// session then sends `Authorization: Bearer` on its later calls.
struct AuthGetToken: ExchangeMethod {
    static let name = "auth.getToken"
    let credentials: Credentials

    init(params: Params?) throws(ResponseError) { credentials = try Credentials(params: params) }

    var sessionUse: SessionUse? { credentials.sessionUse }

    func exchange(in context: MethodContext) -> MedusaClient.Exchange<JSONValue> {
        context.medusa.getTokenExchange(email: credentials.email, password: credentials.password, options: credentials.options)
    }
}

import JSON
import JSONRPC
import MedusaStore

/// `auth.getSession`: medusa-js `auth.getSession(customHeaders)`, `GET /store/auth`.
struct AuthGetSession: ExchangeMethod {
    static let name = "auth.getSession"
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(params, names: ["customHeaders", "session"], positions: [.value("customHeaders")])
        options = try reader.callOptions()
    }

    var sessionUse: SessionUse? { SessionUse(session: options.session, exclusive: false) }

    func exchange(in context: MethodContext) -> MedusaClient.Exchange<JSONValue> {
        context.medusa.getSessionExchange(options: options)
    }
}

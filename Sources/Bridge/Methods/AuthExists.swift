import JSON
import JSONRPC
import MedusaStore

/// `auth.exists`: medusa-js `auth.exists(email, customHeaders)`, `GET /store/auth/{email}`. The email is
/// checked as a path segment: medusa-js would send `exists("")` as `GET /store/auth/`, which is the
/// session route, and answer with the logged-in customer.
struct AuthExists: ExchangeMethod {
    static let name = "auth.exists"
    let email: String
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(
            params, names: ["email", "customHeaders", "session"], positions: [.value("email"), .value("customHeaders")])
        email = try reader.pathSegment("email")
        options = try reader.callOptions()
    }

    var sessionUse: SessionUse? { SessionUse(session: options.session, exclusive: false) }

    func exchange(in context: MethodContext) -> MedusaClient.Exchange<JSONValue> {
        context.medusa.existsExchange(email: email, options: options)
    }
}

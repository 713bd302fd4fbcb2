import JSON
import JSONRPC
import MedusaStore

/// `auth.updateProvider` (Medusa v2): js-sdk `auth.updateProvider("customer", provider, body, token)`,
/// `POST /auth/customer/{provider}/update` with the reset token as Bearer; sets a new `password` (or a
/// provider's own `payload`). Answers `{}`.
struct AuthUpdateProvider: ExchangeMethod {
    static let name = "auth.updateProvider"
    let provider: String
    let token: String
    let payload: JSONValue
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(
            params, names: ["token", "password", "payload", "provider", "customHeaders", "session"], positions: nil)
        token = try reader.string("token")
        guard HTTPHeaders.isValidValue(token) else { throw .invalidParams("'token' holds a control character", field: "token") }
        provider = try ProviderPayload.provider(reader)
        if let payload = reader.value("payload"), payload != .null {
            guard payload.objectValue != nil else {
                throw .invalidParams("'payload' must be an object, not \(payload.typeName)", field: "payload")
            }
            guard reader.value("password") == nil else {
                throw .invalidParams("give either 'payload' or 'password', not both", field: "password")
            }
            self.payload = payload
        } else {
            payload = .object(JSONObject([(key: "password", value: .string(try reader.string("password")))]))
        }
        options = try reader.callOptions()
    }

    var sessionUse: SessionUse? { SessionUse(session: options.session, exclusive: false) }

    func exchange(in context: MethodContext) -> MedusaClient.Exchange<JSONValue> {
        context.medusa.updateProviderExchange(provider: provider, token: token, payload: payload, options: options).map { .emptyObject }
    }
}

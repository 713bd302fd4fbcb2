import JSON
import JSONRPC
import MedusaStore

/// `auth.resetPassword` (Medusa v2): js-sdk `auth.resetPassword("customer", provider, {identifier})`,
/// `POST /auth/customer/{provider}/reset-password`. Medusa answers 201 whoever the identifier is and
/// sends the reset token out of band; the bridge answers `{}`.
struct AuthResetPassword: ExchangeMethod {
    static let name = "auth.resetPassword"
    let identifier: String
    let provider: String
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(params, names: ["identifier", "provider", "customHeaders", "session"], positions: nil)
        identifier = try reader.string("identifier")
        provider = try ProviderPayload.provider(reader)
        options = try reader.callOptions()
    }

    var sessionUse: SessionUse? { SessionUse(session: options.session, exclusive: false) }

    func exchange(in context: MethodContext) -> MedusaClient.Exchange<JSONValue> {
        context.medusa.resetPasswordExchange(provider: provider, identifier: identifier, options: options).map { .emptyObject }
    }
}

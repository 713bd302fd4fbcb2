import JSON
import JSONRPC
import MedusaStore

/// `auth.register` (Medusa v2): js-sdk `auth.register("customer", provider, payload)`,
/// `POST /auth/customer/{provider}/register`. The session keeps the registration token in both auth
/// types, so a following `store.customer.create` is authorised.
struct AuthRegister: BridgeMethod {
    static let name = "auth.register"
    let provider: ProviderPayload
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(params, names: ProviderPayload.names + ["customHeaders", "session"], positions: nil)
        provider = try ProviderPayload(reader)
        options = try reader.callOptions()
    }

    var sessionUse: SessionUse? { SessionUse(session: options.session, exclusive: true) }

    func run(in context: MethodContext) async throws -> JSONValue {
        try await context.medusa.register(provider: provider.provider, payload: provider.payload, options: options)
    }
}

import JSON
import JSONRPC
import MedusaStore

/// `auth.login` (Medusa v2): js-sdk `auth.login("customer", provider, payload)`,
/// `POST /auth/customer/{provider}`; the session adopts the token (in session mode by exchanging it for
/// the cookie), or the OAuth start's `{location}` is answered as it is.
struct AuthLogin: BridgeMethod {
    static let name = "auth.login"
    let provider: ProviderPayload
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(params, names: ProviderPayload.names + ["customHeaders", "session"], positions: nil)
        provider = try ProviderPayload(reader)
        options = try reader.callOptions()
    }

    var sessionUse: SessionUse? { SessionUse(session: options.session, exclusive: true) }

    func run(in context: MethodContext) async throws -> JSONValue {
        try await context.medusa.login(provider: provider.provider, payload: provider.payload, options: options)
    }
}

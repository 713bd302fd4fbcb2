import JSON
import JSONRPC
import MedusaStore

/// `auth.signup` (Medusa v2): register, create the customer, log in, as one call answering
/// `{customer, token}`. A failed step is named in the error (`data.step`), and the whole call can be
/// retried. Needs a publishable key (step 2 is a `/store/*` route).
struct AuthSignup: BridgeMethod {
    static let name = "auth.signup"
    let email: String
    let password: String
    let fields: JSONObject
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(
            params, names: ["email", "password"] + CustomerFields.updatable + ["customHeaders", "session"], positions: nil)
        email = try reader.string("email")
        password = try reader.string("password")
        fields = try CustomerFields.read(CustomerFields.updatable, from: reader)
        options = try reader.callOptions()
    }

    var sessionUse: SessionUse? { SessionUse(session: options.session, exclusive: true) }

    func run(in context: MethodContext) async throws -> JSONValue {
        try PublishableKeyRequirement.check(Self.name, context, options)
        do {
            return try await context.medusa.signup(email: email, password: password, fields: fields, options: options)
        } catch {
            throw ResponseError(error)
        }
    }
}

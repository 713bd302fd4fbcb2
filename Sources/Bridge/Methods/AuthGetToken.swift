import JSON
import JSONRPC
import MedusaStore

/// `auth.getToken`: medusa-js `auth.getToken(payload, customHeaders)`, `POST /store/auth/token`; the
/// session then sends `Authorization: Bearer` on its later calls.
struct AuthGetToken: BridgeMethod {
    static let name = "auth.getToken"
    let email: String
    let password: String
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(
            params, names: ["email", "password", "customHeaders", "session"], positions: [.payload, .value("customHeaders")])
        email = try reader.string("email")
        password = try reader.string("password")
        options = try reader.callOptions()
    }

    var sessionUse: SessionUse? { SessionUse(session: options.session, exclusive: true) }

    func run(in context: MethodContext) async throws -> JSONValue {
        try await context.medusa.getToken(email: email, password: password, options: options)
    }
}

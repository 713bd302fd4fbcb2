import JSON
import JSONRPC
import MedusaStore

/// `auth.logout` (Medusa v2): js-sdk `auth.logout()`. `DELETE /auth/session` when the session logged in
/// to Medusa's cookie session (session mode); in jwt mode no request, whatever cookies the session holds
/// (a load balancer's), as js-sdk. Then the session's token and cookies are forgotten whatever Medusa
/// answered. Answers `{}`.
struct AuthLogout: BridgeMethod {
    static let name = "auth.logout"
    let options: CallOptions

    init(params: Params?) throws(ResponseError) {
        let reader = try ParamReader(params, names: ["customHeaders", "session"], positions: nil)
        options = try reader.callOptions()
    }

    var sessionUse: SessionUse? { SessionUse(session: options.session, exclusive: true) }

    func run(in context: MethodContext) async throws -> JSONValue {
        try await context.medusa.logout(options: options)
        return .emptyObject
    }
}
